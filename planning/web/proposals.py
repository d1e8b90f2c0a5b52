"""Proposal pages under ``/proposals/``: list and review queue, draw/upload a new one, detail with
the rule checks, the timeline and the steps the user may take. Thin: the workflow is
``planning.services.proposals``; the map script posts to the REST API (same service)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from layers.catalogue import CATALOGUE
from planning import access
from planning import models as m
from planning.errors import PlanningError
from planning.labels import choice_labels
from planning.numbers import active_lang
from planning.services import proposals as svc
from planning.web.layers import tile_url_template

# Tile layers under the proposal maps, bottom first.
MAP_LAYERS = ("admin_units", "industrial_areas", "road_corridors", "proposals")
ACTIVE = ("submitted", "under_review")


def _choices(model, name: str) -> dict[str, str]:
    """Value -> label of a model field's choices in the page language."""
    return choice_labels(model._meta.get_field(name))


def _events(proposal) -> list:
    events = list(proposal.events.select_related("actor").order_by("created_at", "pk"))
    for e in events:
        e.action_label = e.get_action_display()
    return events


def _label(proposals) -> list:
    """Give each proposal ``status_label`` and ``kind_label`` in the page language."""
    status = _choices(m.Proposal, "status")
    area_status = _choices(m.IndustrialArea, "status")
    kind = _choices(m.Proposal, "kind")
    for p in proposals:
        p.status_label = status.get(p.status, p.status)
        p.kind_label = kind.get(p.kind, p.kind)
        if p.resulting_area_id:
            p.resulting_area.status_label = area_status.get(
                p.resulting_area.status, p.resulting_area.status
            )
    return proposals


def _guard(request):
    """Anonymous -> the login page; signed in without a workflow role -> a 403 page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("web:login"))
    if not access.has_proposal_role(request.user):
        return _forbidden(
            request,
            _(
                "Your account has no role in the proposal workflow. Ask the administrator "
                "for a role: commune or district staff, or reviewer (Department of Industry "
                "and Trade for clusters, Economic Zone Authority for parks)."
            ),
        )
    return None


def _forbidden(request, message: str):
    return render(
        request, "planning/web/proposals/forbidden.html", {"message": message}, status=403
    )


def _tiles(user) -> list[dict]:
    url = tile_url_template()
    out = []
    for z, name in enumerate(MAP_LAYERS):
        spec = CATALOGUE.get(name)
        if spec is not None and access.can_read_layer(user, spec):
            out.append({"name": name, "url": url.replace("{layer}", name), "z": z})
    return out


def _draft_units(user) -> list[m.AdminUnit]:
    """Units the user may propose for: their staff units and the units directly below them."""
    if access.principal(user).is_admin:
        return list(
            m.AdminUnit.objects.filter(level__in=("commune", "district")).order_by(
                "-valid_from", "code"
            )
        )
    own = [
        ms.admin_unit
        for ms in access.principal(user).memberships
        if ms.role in access.PROPOSAL_STAFF_ROLES and ms.admin_unit_id
    ]
    ids = {u.pk for u in own}
    children = m.AdminUnit.objects.filter(parent_id__in=ids).order_by("code")
    return own + [c for c in children if c.pk not in ids]


def _unit_label(u: m.AdminUnit) -> str:
    period = (
        f"{u.valid_from:%Y}–{u.valid_to:%Y}"
        if u.valid_to
        else _("since %(year)s") % {"year": u.valid_from.year}
    )
    return f"{u.name} ({u.code}, {period})"


def _extent(geoms) -> list[float] | None:
    boxes = [g.extent for g in geoms if g is not None]
    if not boxes:
        return None
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


def proposal_list(request):
    """Staff: their unit's proposals. Reviewers: the queue of their kind, then the decided ones."""
    if (refused := _guard(request)) is not None:
        return refused
    user = request.user
    status = request.GET.get("status") or None
    try:
        queue = list(svc.visible_proposals(user, queue=True, status=status or ",".join(ACTIVE)))
        reviewed = (
            []
            if status
            else list(svc.visible_proposals(user, queue=True).exclude(status__in=ACTIVE))
        )
        queue_ids = {p.pk for p in queue} | {p.pk for p in reviewed}
        mine = [p for p in svc.visible_proposals(user, status=status) if p.pk not in queue_ids]
    except PlanningError as exc:
        messages.error(request, exc.message)
        return redirect("web:proposals")
    context = {
        "queue": _label(queue),
        "reviewed": _label(reviewed),
        "mine": _label(mine),
        "is_reviewer": bool(
            {"industry_reviewer", "ezone_reviewer", "admin"} & access.principal(user).roles
        ),
        "can_draft": bool(_draft_units(user)),
        "statuses": list(_choices(m.Proposal, "status").items()),
        "status": status or "",
    }
    return render(request, "planning/web/proposals/list.html", context)


def _form_page(request, proposal=None):
    user = request.user
    units = _draft_units(user)
    if not units:
        return _forbidden(request, _("Only commune or district staff can draft proposals."))
    config = {
        "mode": "edit" if proposal else "new",
        "lang": active_lang(),
        "tiles": _tiles(user),
        "extent": _extent([u.boundary for u in units[:50]]),
        "geometry": None,
        "urls": {
            "check": reverse("api:proposal-check"),
            "create": reverse("api:proposals"),
            "readFile": reverse("api:proposal-read-file"),
            "detailApi": reverse("api:proposal-detail", args=[proposal.pk]) if proposal else None,
            "submitTemplate": reverse("api:proposal-action", args=[0, "submit"]),
            "pageTemplate": reverse("web:proposal-detail", args=[0]),
        },
    }
    if proposal is not None:
        config["geometry"] = json.loads(proposal.geom.geojson)
        config["extent"] = list(proposal.geom.extent)
        if proposal.admin_unit not in units:
            units = [proposal.admin_unit] + units
    # issue 13 rules: the phases, as stated areas (four rows at least) or, when drawn with
    # boundaries (API, admin), listed read only.
    phases = list(proposal.phases.all()) if proposal is not None else []
    boundaries = any(ph.geom is not None for ph in phases)
    rows = phases if boundaries else phases + [None] * max(4 - len(phases), 1)
    context = {
        "proposal": proposal,
        "config": config,
        "units": [(u.code, _unit_label(u)) for u in units],
        "kinds": list(_choices(m.Proposal, "kind").items()),
        "phase_rows": [r or {"year": None, "area_ha": None} for r in rows],
        "phase_boundaries": boundaries,
        # issue 13 plan: establishment condition 1 — the provincial plans' entries to link
        "plan_entries": [
            (e.code, f"{e.plan.province.name} — {e.kind} — {e.name}")
            for e in m.PlanEntry.objects.select_related("plan__province")
            .filter(removed_by__isnull=True)
            .order_by("plan__province__name", "kind", "name")
        ],
    }
    return render(request, "planning/web/proposals/form.html", context)


def proposal_new(request):
    if (refused := _guard(request)) is not None:
        return refused
    return _form_page(request)


def _visible_or_404(request, pk):
    try:
        return svc.get_visible(request.user, pk)
    except svc.ProposalNotFound as exc:
        raise Http404(exc.message) from None


def proposal_edit(request, pk: int):
    if (refused := _guard(request)) is not None:
        return refused
    proposal = _visible_or_404(request, pk)
    try:
        svc.check_can_edit(request.user, proposal)
    except svc.ProposalRefused as exc:
        return _forbidden(request, exc.message)
    except svc.IllegalTransition as exc:
        messages.error(request, exc.message)
        return redirect("web:proposal-detail", pk=pk)
    return _form_page(request, proposal)


def proposal_detail(request, pk: int):
    if (refused := _guard(request)) is not None:
        return refused
    proposal = _visible_or_404(request, pk)
    actions = svc.allowed_actions(request.user, proposal)
    validation = proposal.validation or {}
    rules = validation.get("rules", [])
    lang = active_lang()
    _label([proposal])
    context = {
        "proposal": proposal,
        "events": _events(proposal),
        "validation": validation,
        "checked_at": parse_datetime(str(validation.get("checked_at") or "")),
        "rules": [
            {
                **r,
                "message": r.get("message_en" if lang == "en" else "message_vi")
                or r.get("message_vi"),
                "blocking": r.get("rule") in svc.BLOCKING_RULES,
            }
            for r in rules
        ],
        "actions": actions,
        "buttons": [
            (a, svc.action_label(a)) for a in actions if a not in ("edit", "delete", "comment")
        ],
        "can_comment": "comment" in actions,
        "config": {
            "mode": "detail",
            "lang": lang,
            "tiles": _tiles(request.user),
            "geometry": json.loads(proposal.geom.geojson),
            "extent": list(proposal.geom.extent),
        },
    }
    return render(request, "planning/web/proposals/detail.html", context)


@require_POST
def proposal_action(request, pk: int):
    """The detail page's buttons (HTML forms with the CSRF token) -> one workflow step."""
    if (refused := _guard(request)) is not None:
        return refused
    proposal = _visible_or_404(request, pk)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    try:
        if action == "delete":
            svc.proposal_delete(request.user, proposal)
            messages.success(
                request, _("The draft %(code)s was deleted.") % {"code": proposal.code}
            )
            return redirect("web:proposals")
        svc.proposal_act(request.user, proposal, action, comment)
    except svc.ProposalRefused as exc:
        return _forbidden(request, exc.message)
    except PlanningError as exc:
        messages.error(request, exc.message)
    else:
        proposal.refresh_from_db()
        done = _("%(action)s: done. The proposal is now “%(status)s”.") % {
            "action": svc.action_label(action),
            "status": _label([proposal])[0].status_label,
        }
        if action == "approve" and proposal.resulting_area_id:
            done += " " + _("It is now the planned area %(code)s on the map.") % {
                "code": proposal.resulting_area.code
            }
        messages.success(request, done)
    return redirect("web:proposal-detail", pk=pk)
