"""The one access policy for pages, the REST API and the OGC services.

Roles come from ``planning.Membership``; superusers are administrators. Scope is an
administrative unit: a membership covers that unit and every unit below it, and — across the
1 July 2025 reform — the units that succeeded it or that it succeeded.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _

from planning.models import AdminUnit, AdminUnitSuccession, IndustrialArea, Membership

ANONYMOUS = "anonymous"
STAFF = "staff"  # any signed-in user holding a role


@dataclass
class Principal:
    user: object

    @cached_property
    def memberships(self) -> list:
        if not getattr(self.user, "is_authenticated", False):
            return []
        return list(Membership.objects.filter(user=self.user).select_related("admin_unit"))

    @property
    def is_admin(self) -> bool:
        return bool(getattr(self.user, "is_superuser", False)) or any(
            m.role == "admin" for m in self.memberships
        )

    @cached_property
    def roles(self) -> set[str]:
        roles = {ANONYMOUS}
        if getattr(self.user, "is_authenticated", False):
            roles |= {m.role for m in self.memberships}
            if self.memberships or self.is_admin:
                roles.add(STAFF)
            if self.is_admin:
                roles.add("admin")
        return roles

    @cached_property
    def scope_unit_ids(self) -> set[int] | None:
        """Ids of the units this principal may act in; None means everywhere (administrator)."""
        if self.is_admin:
            return None
        ids: set[int] = set()
        frontier = [m.admin_unit_id for m in self.memberships if m.admin_unit_id]
        # Down the hierarchy.
        while frontier:
            ids.update(frontier)
            frontier = list(
                AdminUnit.objects.filter(parent_id__in=frontier)
                .exclude(pk__in=ids)
                .values_list("pk", flat=True)
            )
        # Across the 2025 reform, both ways, for units already in scope.
        links = AdminUnitSuccession.objects.filter(predecessor_id__in=ids).values_list(
            "successor_id", flat=True
        )
        back = AdminUnitSuccession.objects.filter(successor_id__in=ids).values_list(
            "predecessor_id", flat=True
        )
        return ids | set(links) | set(back)


# Principals of the current request (see memoised): its roles and scope are read once, not once
# per row a list checks.
_PRINCIPALS: ContextVar[dict | None] = ContextVar("kcn_principals", default=None)


def principal(user) -> Principal:
    memo = _PRINCIPALS.get()
    if memo is None:
        return Principal(user or AnonymousUser())
    found = memo.get(id(user))  # the memo holds the user, so its id is not reused meanwhile
    if found is None or (user is not None and found.user is not user):
        found = memo[id(user)] = Principal(user or AnonymousUser())
    return found


@contextmanager
def memoised():
    """Within the block, :func:`principal` gives the same Principal for the same user object, so
    memberships and scopes are read once. Every request runs in one (``PrincipalMemoMiddleware``);
    a change of memberships shows from the next request on."""
    token = _PRINCIPALS.set({})
    try:
        yield
    finally:
        _PRINCIPALS.reset(token)


def can_read_layer(user, spec) -> bool:
    p = principal(user)
    return p.is_admin or bool(p.roles & set(spec.read_roles))


def can_edit_layer(user, spec) -> bool:
    p = principal(user)
    return p.is_admin or bool(p.roles & set(spec.edit_roles))


def feature_unit_id(obj) -> int | None:
    """The administrative unit a feature lies in: its own ``admin_unit``, else — for records that
    belong to a park or cluster and carry no unit (secondary projects, connectors) — its park's."""
    unit_id = getattr(obj, "admin_unit_id", None)
    if unit_id is None and getattr(obj, "area_id", None) is not None:
        unit_id = (
            IndustrialArea.objects.filter(pk=obj.area_id)
            .values_list("admin_unit_id", flat=True)
            .first()
        )
    return unit_id


def can_edit_feature(user, spec, obj) -> bool:
    """May ``user`` change ``obj`` of layer ``spec``: layer right and the object's unit in scope."""
    if not can_edit_layer(user, spec):
        return False
    scope = principal(user).scope_unit_ids
    if scope is None:
        return True
    unit_id = feature_unit_id(obj)
    return unit_id is not None and unit_id in scope


def scope_filter(user, queryset, *, field: str = "admin_unit"):
    """Restrict a queryset to the principal's units (administrators see everything)."""
    scope = principal(user).scope_unit_ids
    if scope is None:
        return queryset
    return queryset.filter(**{f"{field}__in": scope})


def can_import_layer(user, spec, *, mode: str = "append") -> bool:
    """May ``user`` import a file into layer ``spec``: edit rights on the layer; replacing the
    whole layer (which deletes rows everywhere) only for administrators."""
    if not can_edit_layer(user, spec):
        return False
    return mode != "replace" or principal(user).is_admin


def import_row_refusal(user, spec, obj) -> str | None:
    """Why ``user`` may not import ``obj`` into ``spec`` (its unit outside their scope), or None."""
    p = principal(user)
    if p.scope_unit_ids is None:
        return None
    unit_id = feature_unit_id(obj)
    if unit_id is None:
        return _(
            "the feature has no administrative unit, so it cannot be checked against your units"
        )
    if unit_id not in p.scope_unit_ids:
        unit = AdminUnit.objects.filter(pk=unit_id).first()
        name = (
            f"{unit.name} ({unit.code})" if unit is not None else _("unit %(id)s") % {"id": unit_id}
        )
        return _("%(unit)s is outside your administrative units") % {"unit": name}
    return None


# --- proposals (planning.Proposal): who drafts, who reviews -------------------------------------

#: Roles that draft proposals for their own unit.
PROPOSAL_STAFF_ROLES = ("commune_staff", "district_staff")
#: The reviewing role for each kind: Sở Công Thương for CCN, Ban Quản lý KKT for KCN.
REVIEWER_ROLE_FOR_KIND = {"CCN": "industry_reviewer", "KCN": "ezone_reviewer"}


def _expand_units(unit_ids) -> set[int]:
    """Units ``unit_ids``, everything below them, and the units linked to those across the 2025
    reform (both ways), with everything below the linked units too."""
    ids: set[int] = set()
    frontier = {u for u in unit_ids if u}
    for _pass in range(2):
        while frontier:
            ids.update(frontier)
            frontier = set(
                AdminUnit.objects.filter(parent_id__in=frontier)
                .exclude(pk__in=ids)
                .values_list("pk", flat=True)
            )
        linked = set(
            AdminUnitSuccession.objects.filter(predecessor_id__in=ids).values_list(
                "successor_id", flat=True
            )
        )
        linked |= set(
            AdminUnitSuccession.objects.filter(successor_id__in=ids).values_list(
                "predecessor_id", flat=True
            )
        )
        frontier = linked - ids
    return ids | frontier


def role_scope(user, roles) -> set[int] | None:
    """Ids of the units where ``user`` holds one of ``roles``; None means everywhere
    (administrator)."""
    p = principal(user)
    if p.is_admin:
        return None
    key = ("_kcn_role_scope", tuple(sorted(roles)))
    cache = p.__dict__.setdefault("_role_scopes", {})
    if key not in cache:
        cache[key] = _expand_units(m.admin_unit_id for m in p.memberships if m.role in roles)
    return cache[key]


def proposal_staff_units(user) -> set[int] | None:
    """Units where ``user`` may draft proposals (commune/district staff); None = everywhere."""
    return role_scope(user, PROPOSAL_STAFF_ROLES)


def can_draft_proposal_in(user, unit) -> bool:
    """May ``user`` create a proposal for administrative unit ``unit`` (staff of that unit)."""
    if unit is None:
        return False
    scope = proposal_staff_units(user)
    return scope is None or getattr(unit, "pk", unit) in scope


def can_edit_proposal(user, proposal) -> bool:
    """May ``user`` change, submit, withdraw or delete ``proposal``: its proposer or staff of its
    unit (commune/district staff in scope), or an administrator. The workflow decides *when*."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_draft_proposal_in(user, proposal.admin_unit_id)


def can_review_proposal(user, proposal) -> bool:
    """May ``user`` review ``proposal``: the reviewer of its kind (industry_reviewer for CCN,
    ezone_reviewer for KCN) whose province covers its unit, or an administrator."""
    if not getattr(user, "is_authenticated", False):
        return False
    role = REVIEWER_ROLE_FOR_KIND.get(proposal.kind)
    if role is None:
        return principal(user).is_admin
    scope = role_scope(user, (role,))
    return scope is None or proposal.admin_unit_id in scope


def can_view_proposal(user, proposal) -> bool:
    """Staff of the unit see all of its proposals; reviewers see those sent to them (not drafts)."""
    if can_edit_proposal(user, proposal):
        return True
    return proposal.status != "draft" and can_review_proposal(user, proposal)


def can_work_on_proposal(user, proposal) -> bool:
    """May ``user`` take part in ``proposal`` (comment, re-run its rule checks): one who sees it
    and either edits it (staff of its unit) or reviews it (the reviewer of its kind and
    province)."""
    return can_view_proposal(user, proposal) and (
        can_edit_proposal(user, proposal) or can_review_proposal(user, proposal)
    )


def has_proposal_role(user) -> bool:
    """Does ``user`` take part in the proposal workflow at all (staff, reviewer or
    administrator)."""
    p = principal(user)
    if not getattr(user, "is_authenticated", False):
        return False
    wanted = set(PROPOSAL_STAFF_ROLES) | set(REVIEWER_ROLE_FOR_KIND.values())
    return p.is_admin or bool(p.roles & wanted)


def proposals_visible(user, queryset):
    """Restrict a Proposal queryset to what ``user`` may see (see :func:`can_view_proposal`)."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    staff = proposal_staff_units(user)
    if staff is None:
        return queryset
    q = Q(admin_unit_id__in=staff)
    for kind, role in REVIEWER_ROLE_FOR_KIND.items():
        scope = role_scope(user, (role,))
        if scope:
            q |= Q(kind=kind, admin_unit_id__in=scope) & ~Q(status="draft")
    return queryset.filter(q)


def proposals_to_review(user, queryset):
    """The reviewer's part of a Proposal queryset: the kinds and provinces ``user`` reviews."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if principal(user).is_admin:
        return queryset.exclude(status="draft")
    q = Q(pk__in=[])
    for kind, role in REVIEWER_ROLE_FOR_KIND.items():
        scope = role_scope(user, (role,))
        if scope:
            q |= Q(kind=kind, admin_unit_id__in=scope)
    return queryset.filter(q).exclude(status="draft")


def readable_rows(user, spec, queryset):
    """Rows of a published layer ``user`` may read (WFS, the REST layer API; the WMS draws none of
    the rows this hides, see ``layers.wms.styles``).

    Layers are published whole to their readers, with one exception: a proposal's *draft* is
    private to the staff of its unit and administrators. Once submitted, a proposal is shown to
    every reader of the ``proposals`` layer — neighbouring units and both reviewing offices
    coordinate on the map, and the proposal checks test overlaps against it.
    """
    if spec.name != "proposals":
        return queryset
    staff = proposal_staff_units(user) if getattr(user, "is_authenticated", False) else set()
    if staff is None:
        return queryset
    return queryset.filter(~Q(status="draft") | Q(admin_unit_id__in=staff or []))


# --- issue 13 enforce: the enforcement trail (actions, conversion plans, transfers) ------------
def can_enforce_on(user, area) -> bool:
    """May ``user`` record enforcement actions, conversion plans and transfer stages for
    ``area``: the provincial office of its kind (Department of Industry and Trade for a CCN,
    Economic Zone Management Board for a KCN) whose province covers the area's unit, or an
    administrator. Commune staff do not write them."""
    if not getattr(user, "is_authenticated", False):
        return False
    role = REVIEWER_ROLE_FOR_KIND.get(getattr(area, "kind", None))
    if role is None:
        return principal(user).is_admin
    scope = role_scope(user, (role,))
    return scope is None or area.admin_unit_id in scope


def can_read_enforcement(user) -> bool:
    """The trail is for staff holding a role (not for anonymous visitors)."""
    return STAFF in principal(user).roles or principal(user).is_admin
