"""The one access policy for pages, the REST API and the OGC services.

Roles come from ``planning.Membership``; superusers are administrators. Scope is an
administrative unit: a membership covers that unit and every unit below it, and — across the
1 July 2025 reform — the units that succeeded it or that it succeeded.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AnonymousUser

ANONYMOUS = "anonymous"
STAFF = "staff"  # any signed-in user holding a role


@dataclass
class Principal:
    user: object

    @cached_property
    def memberships(self) -> list:
        if not getattr(self.user, "is_authenticated", False):
            return []
        from planning.models import Membership

        return list(Membership.objects.filter(user=self.user).select_related("admin_unit"))

    @property
    def is_admin(self) -> bool:
        return bool(getattr(self.user, "is_superuser", False)) or any(m.role == "admin" for m in self.memberships)

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
        from planning.models import AdminUnit

        ids: set[int] = set()
        frontier = [m.admin_unit_id for m in self.memberships if m.admin_unit_id]
        # Down the hierarchy.
        while frontier:
            ids.update(frontier)
            frontier = list(AdminUnit.objects.filter(parent_id__in=frontier).exclude(pk__in=ids)
                            .values_list("pk", flat=True))
        # Across the 2025 reform, both ways, for units already in scope.
        from planning.models import AdminUnitSuccession

        links = AdminUnitSuccession.objects.filter(predecessor_id__in=ids).values_list("successor_id", flat=True)
        back = AdminUnitSuccession.objects.filter(successor_id__in=ids).values_list("predecessor_id", flat=True)
        return ids | set(links) | set(back)


def principal(user) -> Principal:
    return Principal(user or AnonymousUser())


def can_read_layer(user, spec) -> bool:
    p = principal(user)
    return p.is_admin or bool(p.roles & set(spec.read_roles))


def can_edit_layer(user, spec) -> bool:
    p = principal(user)
    return p.is_admin or bool(p.roles & set(spec.edit_roles))


def can_edit_feature(user, spec, obj) -> bool:
    """May ``user`` change ``obj`` of layer ``spec``: layer right and the object's unit in scope."""
    if not can_edit_layer(user, spec):
        return False
    scope = principal(user).scope_unit_ids
    if scope is None:
        return True
    unit_id = getattr(obj, "admin_unit_id", None)
    return unit_id is not None and unit_id in scope


def scope_filter(user, queryset, *, field: str = "admin_unit"):
    """Restrict a queryset to the principal's units (administrators see everything)."""
    scope = principal(user).scope_unit_ids
    if scope is None:
        return queryset
    return queryset.filter(**{f"{field}__in": scope})
