"""The access matrix, writes: every door a write can take × every role, and the proposal
workflow's invariants checked after each accepted or refused write.

The doors (``../shared/DESIGN.md``: "the same write can come through the web page, the REST API,
WFS-T, an import, the admin and a command"):

* imports through the REST API (the Jobs tab posts the same form): every importable layer ×
  append / replace / upsert, inside and outside the caller's units, with files the service
  exported itself (GeoJSON);
* imports through ``manage.py import_layer --user``;
* forged workflow rows through both import doors: a new proposal that arrives approved, a
  submitted proposal re-imported as approved, a draft re-imported as submitted, a submitted
  proposal whose content changes;
* WFS-T Update of a proposal's status; the proposals REST API with workflow fields;
* the Django admin (change, add, delete) and plain code (``save()``, ``QuerySet.update()``).

Expected verdicts are restated from the catalogue, the scope rule and the workflow (see
``test_access_matrix.py``), not computed by ``planning/access.py``. The workflow invariants,
restated from the README's workflow:

* every proposal's timeline starts with "created";
* its status is the one its last workflow step gave (submitted → submitted, review_started →
  under_review, changes_requested, approved, rejected, withdrawn), or draft before any step;
* a proposal past its draft has a submission date; one approved or rejected has a decision date,
  and that decision was taken by a reviewer of its kind in its province, or an administrator;
  an approved one (and only it) has its resulting planned area.

``-s`` prints the number of writes tried per door.
"""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from layers.catalogue import CATALOGUE
from layers.io.exporter import layer_export
from planning import models as m
from tests.jobs_support import TASKS_AT_ONCE
from tests.security.conftest import ROLES
from tests.security.test_access_matrix import (
    RESULT_LAYERS,
    Matrix,
    _text_field,
    client_for,
    delete_body,
    fingerprint,
    has_role,
    in_scope,
    is_admin,
    may_edit_layer,
    p_edit,
    p_review,
    rolled_back,
    scope,
    undone,
    unit_key,
    update_body,
)

pytestmark = pytest.mark.django_db(transaction=True)

WRITES: Counter = Counter()
IMPORTABLE = sorted(n for n in CATALOGUE if n not in RESULT_LAYERS)
STEP_STATUS = {
    "submitted": "submitted",
    "review_started": "under_review",
    "changes_requested": "changes_requested",
    "approved": "approved",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}
# Replacing these layers deletes rows others depend on (units, parks) or proposals past their
# draft (only drafts may be deleted): refused even to administrators, and nothing changes.
REPLACE_REFUSED = {
    "admin_units": "referenced",
    "industrial_areas": "referenced",
    "proposals": "may not be deleted",
    # the expressways' interchanges would go with them (issue 13 roads)
    "road_corridors": "interchanges",
}


@pytest.fixture(autouse=True)
def _sync_imports(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = TASKS_AT_ONCE


# --- the invariants --------------------------------------------------------------------------
def workflow_violations(world) -> list[str]:
    """Every way the stored proposals contradict their workflow (empty when they don't)."""
    role_of = {u.pk: name for name, u in world["users"].items()}
    keys = {u.pk: k for k, u in world["units"].items()}
    out = []
    for p in m.Proposal.objects.order_by("pk"):
        events = list(p.events.order_by("created_at", "pk"))
        actions = [e.action for e in events]
        if not actions or actions[0] != "created":
            out.append(f"{p.code}: the timeline does not start with 'created' ({actions})")
        steps = [e for e in events if e.action in STEP_STATUS]
        implied = STEP_STATUS[steps[-1].action] if steps else "draft"
        if p.status != implied:
            out.append(
                f"{p.code}: status {p.status!r} but its timeline says {implied!r} ({actions})"
            )
        if p.status != "draft" and p.submitted_at is None:
            out.append(f"{p.code}: {p.status!r} without a submission date")
        if (p.status in ("approved", "rejected")) != (p.decided_at is not None):
            out.append(f"{p.code}: {p.status!r} with decided_at {p.decided_at}")
        if (p.status == "approved") != (p.resulting_area_id is not None):
            out.append(f"{p.code}: {p.status!r} with resulting area {p.resulting_area_id}")
        for e in events:
            if e.action in ("approved", "rejected"):
                role = role_of.get(e.actor_id)
                unit = keys.get(p.admin_unit_id)
                if role is None or not (is_admin(role) or p_review(role, unit, p.kind)):
                    out.append(f"{p.code}: {e.action} by {role or 'nobody'}, not its reviewer")
    return out


class WriteMatrix(Matrix):
    """A Matrix that also checks the workflow's invariants after every write."""

    def __init__(self, name, world):
        super().__init__(name)
        self.world = world

    def invariants(self, role, door, target):
        WRITES[door] += 1
        for problem in workflow_violations(self.world):
            self.mismatches.append(
                (role, door, target, "invariants", "-", f"WORKFLOW BROKEN: {problem}")
            )


# --- files the service exported, edited as a user would ---------------------------------------
def exported(name, tmp_path) -> dict:
    path = tmp_path / f"export-{name}.geojson"
    if not path.exists():
        layer_export(layer=name, path=path)
    return json.loads(path.read_text(encoding="utf-8"))


def feature_of(doc: dict, obj) -> dict:
    found = [f for f in doc["features"] if f["properties"].get("id") == obj.pk]
    assert len(found) == 1, f"{obj!r} not exported once"
    return json.loads(json.dumps(found[0]))


def with_new_key(spec, feature: dict) -> dict:
    """The feature as a new row: its key fields made unique (a new proposal gets its own code)."""
    model = spec.model
    props = feature["properties"]
    props.pop("id", None)
    if spec.name == "proposals":
        props["code"] = None
        return feature
    for k in spec.key_fields:
        field = model._meta.get_field(k)
        if k == "id" or field.is_relation or k == "valid_from" or not props.get(k):
            continue
        props[k] = (
            (str(props[k]) + "M")[-field.max_length :]
            if getattr(field, "max_length", None)
            else str(props[k]) + "M"
        )
    return feature


def changeable(spec):
    """A property an upsert changes: a plain text one, else a number (+ 1)."""
    prop = _text_field(spec)
    if prop:
        return prop, lambda _old: "Sửa bởi ma trận nhập"
    model = spec.model
    keys = set(spec.key_fields)
    for name in spec.fields:
        field = model._meta.get_field(name)
        if (
            field.editable
            and not field.is_relation
            and not field.choices
            and name not in keys
            and field.get_internal_type() in ("DecimalField", "FloatField", "IntegerField")
        ):
            return name, lambda old: (old or 0) + 1
    raise AssertionError(f"nothing to change in {spec.name}")


def upload(doc: dict, features: list, name="rows.geojson"):
    body = json.dumps({**doc, "features": features}).encode()
    f = io.BytesIO(body)
    f.name = name
    return f


def write_file(tmp_path, doc: dict, features: list, name: str):
    path = tmp_path / name
    path.write_text(json.dumps({**doc, "features": features}), encoding="utf-8")
    return path


def job_of(response):
    try:
        return m.ImportJob.objects.get(pk=response.json()["id"])
    except (ValueError, KeyError, m.ImportJob.DoesNotExist):
        return None


def import_verdict(role, spec, mode, target_key) -> bool:
    """May ``role`` import a row of ``spec`` lying in ``target_key`` with ``mode``."""
    allowed = has_role(role) and may_edit_layer(role, spec) and in_scope(target_key, scope(role))
    if spec.name == "proposals":
        allowed = allowed and p_edit(role, target_key)
    if mode == "replace":
        allowed = allowed and is_admin(role) and spec.name not in REPLACE_REFUSED
    return allowed


# ============================================================================================
# Imports through the REST API: every importable layer × mode × role
# ============================================================================================
def test_imports_every_layer_mode_and_role(matrix_world, tmp_path):
    world = matrix_world
    mx = WriteMatrix("imports", world)
    assert not workflow_violations(world), workflow_violations(world)
    for name in IMPORTABLE:
        spec = CATALOGUE[name]
        model = spec.model
        doc = exported(name, tmp_path)
        inside, outside = world["samples"][name]["in"], world["samples"][name]["out"]
        prop, new_value = changeable(spec)
        cases = [
            ("append", "in", [with_new_key(spec, feature_of(doc, inside))], unit_key(world, inside))
        ]
        for where, obj in (("in", inside), ("out", outside)):
            changed = feature_of(doc, obj)
            changed["properties"][prop] = new_value(changed["properties"][prop])
            cases.append((f"upsert {where}", where, [changed], unit_key(world, obj)))
        cases.append(("replace", "all", doc["features"], unit_key(world, inside)))
        for role in ROLES:
            c = client_for(world, role)
            for label, where, features, key in cases:
                mode = label.split()[0]
                allowed = import_verdict(role, spec, mode, key)
                before = fingerprint(model)
                count = len(before)

                with undone():
                    r = c.post(
                        "/api/v1/imports/",
                        {
                            "layer": name,
                            "mode": mode,
                            "file": upload(doc, features, f"{name}.geojson"),
                        },
                    )
                    job = job_of(r) if r.status_code == 202 else None
                    if allowed:
                        done = job is not None and job.status == "done"
                        if done and mode == "append":
                            done = model._default_manager.count() == count + 1
                        elif done and mode == "upsert":
                            obj = world["samples"][name][where]
                            stored = getattr(model._default_manager.get(pk=obj.pk), prop)
                            want = new_value(feature_of(doc, obj)["properties"][prop])
                            done = job.updated_count == 1 and (
                                float(stored) == float(want)
                                if isinstance(want, (int, float))
                                else stored == want
                            )
                        elif done:
                            done = model._default_manager.count() == len(features)
                        mx.check(
                            role,
                            f"import {label}",
                            name,
                            "allow",
                            r,
                            done,
                            f"status {r.status_code}, job {job and job.status}: "
                            f"{job and job.error[:120]}",
                        )
                    else:
                        refused = r.status_code in (401, 403) or (
                            job is not None and job.status == "failed"
                        )
                        mx.check(
                            role,
                            f"import {label}",
                            name,
                            "refuse",
                            r,
                            refused,
                            f"status {r.status_code}, job {job and job.status}",
                        )
                        if fingerprint(model) != before:
                            mx.mismatches.append(
                                (
                                    role,
                                    f"import {label}",
                                    name,
                                    "refuse",
                                    r.status_code,
                                    "REFUSED BUT THE TABLE CHANGED",
                                )
                            )
                    mx.invariants(role, f"api import {mode}", name)
    mx.finish()


# ============================================================================================
# Forged workflow rows: through the REST import and the command, for every role
# ============================================================================================
def forged_rows(world, tmp_path) -> dict[str, list]:
    doc = exported("proposals", tmp_path)
    props = world["proposals"]
    new_approved = with_new_key(CATALOGUE["proposals"], feature_of(doc, props["a_draft"]))
    new_approved["properties"].update(
        status="approved",
        decided_at="2026-05-01T09:00:00+07:00",
        submitted_at="2026-04-01T09:00:00+07:00",
    )
    submitted_approved = feature_of(doc, props["a_submitted"])
    submitted_approved["properties"].update(
        status="approved", decided_at="2026-05-01T09:00:00+07:00"
    )
    draft_submitted = feature_of(doc, props["a_draft"])
    draft_submitted["properties"].update(
        status="submitted", submitted_at="2026-05-01T09:00:00+07:00"
    )
    submitted_renamed = feature_of(doc, props["a_submitted"])
    submitted_renamed["properties"]["name"] = "Đổi tên khi đang thẩm định"
    return {
        "append: a new proposal, already approved": ("append", doc, [new_approved]),
        "upsert: a submitted proposal, approved": ("upsert", doc, [submitted_approved]),
        "upsert: a draft, submitted": ("upsert", doc, [draft_submitted]),
        "upsert: a submitted proposal, renamed": ("upsert", doc, [submitted_renamed]),
    }


def test_forged_workflow_rows_are_refused_through_every_import_door(matrix_world, tmp_path):
    world = matrix_world
    mx = WriteMatrix("forged imports", world)
    cases = forged_rows(world, tmp_path)
    for role in ROLES:
        c = client_for(world, role)
        for label, (mode, doc, features) in cases.items():
            before = fingerprint(m.Proposal), m.ProposalEvent.objects.count()

            with undone():
                r = c.post(
                    "/api/v1/imports/",
                    {
                        "layer": "proposals",
                        "mode": mode,
                        "file": upload(doc, features, "proposals.geojson"),
                    },
                )
                job = job_of(r) if r.status_code == 202 else None
                refused = r.status_code in (401, 403) or (
                    job is not None and job.status == "failed"
                )
                mx.check(
                    role,
                    f"api import {label}",
                    "proposals",
                    "refuse",
                    r,
                    refused,
                    f"status {r.status_code}, job {job and job.status}",
                )
                if (
                    job is not None
                    and job.status == "failed"
                    and role in ("staff_a", "district", "admin")
                ):
                    # Refused for the workflow's reason, said so, not for a lack of rights.
                    text = job.error.lower()
                    if not any(
                        w in text for w in ("workflow", "quy trình", "draft", "bản nháp", "nháp")
                    ):
                        mx.mismatches.append(
                            (
                                role,
                                f"api import {label}",
                                "proposals",
                                "refuse (workflow)",
                                r.status_code,
                                f"reason: {job.error[:160]}",
                            )
                        )
                if (fingerprint(m.Proposal), m.ProposalEvent.objects.count()) != before:
                    mx.mismatches.append(
                        (
                            role,
                            f"api import {label}",
                            "proposals",
                            "refuse",
                            r.status_code,
                            "REFUSED BUT THE PROPOSALS CHANGED",
                        )
                    )
                mx.invariants(role, "api import (forged)", label)
            if role == "anonymous":
                continue
            path = write_file(tmp_path, doc, features, f"forged-{role}.geojson")
            user = world["users"][role]

            with undone():
                try:
                    call_command(
                        "import_layer",
                        str(path),
                        "--layer",
                        "proposals",
                        "--mode",
                        mode,
                        "--user",
                        user.username,
                        stdout=io.StringIO(),
                        stderr=io.StringIO(),
                    )
                    refused, why = False, "the command imported it"
                except CommandError as exc:
                    refused, why = True, str(exc)
                mx.check(
                    role,
                    f"command import {label}",
                    "proposals",
                    "refuse",
                    _Done(why),
                    refused,
                    why[:160],
                )
                if (fingerprint(m.Proposal), m.ProposalEvent.objects.count()) != before:
                    mx.mismatches.append(
                        (
                            role,
                            f"command import {label}",
                            "proposals",
                            "refuse",
                            "-",
                            "REFUSED BUT THE PROPOSALS CHANGED",
                        )
                    )
                mx.invariants(role, "command import (forged)", label)
    mx.finish()


class _Done:
    """A stand-in response for a write that is not an HTTP request (a command, plain code)."""

    status_code = "-"

    def __init__(self, text: str = ""):
        self.content = text.encode()


def test_command_imports_follow_the_same_rights(matrix_world, tmp_path):
    """``import_layer --user`` is one more door: the same rights as the API, and the timeline."""
    world = matrix_world
    mx = WriteMatrix("command imports", world)
    doc = exported("proposals", tmp_path)
    draft = world["proposals"]["a_draft"]
    renamed = feature_of(doc, draft)
    renamed["properties"]["name"] = "Đổi tên qua lệnh"
    path = write_file(tmp_path, doc, [renamed], "renamed.geojson")
    with pytest.raises(CommandError, match="--user"):
        call_command(
            "import_layer",
            str(path),
            "--layer",
            "proposals",
            "--mode",
            "upsert",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    for role in ROLES:
        if role == "anonymous":
            continue
        user = world["users"][role]
        allowed = (
            has_role(role)
            and may_edit_layer(role, CATALOGUE["proposals"])
            and p_edit(role, "commune_a")
        )

        with undone():
            try:
                call_command(
                    "import_layer",
                    str(path),
                    "--layer",
                    "proposals",
                    "--mode",
                    "upsert",
                    "--user",
                    user.username,
                    stdout=io.StringIO(),
                    stderr=io.StringIO(),
                )
                ok, why = True, ""
            except CommandError as exc:
                ok, why = False, str(exc)
            now = m.Proposal.objects.get(pk=draft.pk)
            last = now.events.order_by("-created_at", "-pk").first()
            if allowed:
                ok = (
                    ok
                    and now.name == "Đổi tên qua lệnh"
                    and last.action == "edited"
                    and last.actor_id == user.pk
                )
            else:
                ok = not ok and now.name == draft.name
            mx.check(
                role,
                "command upsert draft",
                "proposals",
                "allow" if allowed else "refuse",
                _Done(why),
                ok,
                why[:160] or f"name {now.name!r}, last event {last.action} by {last.actor_id}",
            )
            mx.invariants(role, "command import", "a_draft")
    mx.finish()


# ============================================================================================
# WFS-T, the proposals REST API, the admin and plain code
# ============================================================================================
def test_status_writes_through_wfs_rest_admin_and_code(matrix_world):
    world = matrix_world
    mx = WriteMatrix("status writes", world)
    spec = CATALOGUE["proposals"]
    props = world["proposals"]
    geometry = {
        "type": "Polygon",
        "coordinates": [
            [
                [108.97, 14.05],
                [108.976, 14.05],
                [108.976, 14.056],
                [108.97, 14.056],
                [108.97, 14.05],
            ]
        ],
    }
    commune_a = world["units"]["commune_a"]
    for role in ROLES:
        c = client_for(world, role)
        for key in ("a_draft", "a_submitted"):
            p = props[key]
            for field, value in (("status", "approved"), ("decided_at", "2026-05-01T09:00:00Z")):
                before = fingerprint(m.Proposal)

                with undone():
                    r = c.generic(
                        "POST",
                        "/ows/wfs",
                        update_body(spec, p.pk, field, value).encode(),
                        content_type="text/xml",
                    )
                    mx.check(
                        role,
                        f"wfs-t Update {field}",
                        key,
                        "refuse",
                        r,
                        r.status_code in (400, 401, 403) and fingerprint(m.Proposal) == before,
                    )
                    mx.invariants(role, "wfs-t", key)

            with undone():
                r = c.patch(
                    f"/api/v1/proposals/{p.pk}/",
                    data=json.dumps({"status": "approved"}),
                    content_type="application/json",
                )
                mx.check(
                    role,
                    "api patch status",
                    key,
                    "refuse",
                    r,
                    r.status_code in (401, 403, 404, 409) and fingerprint(m.Proposal) == before,
                )
                mx.invariants(role, "rest", key)

        with undone():
            count = m.Proposal.objects.count()
            r = c.post(
                "/api/v1/proposals/",
                data=json.dumps(
                    {
                        "name": "Đề xuất đã duyệt sẵn",
                        "kind": "CCN",
                        "admin_unit": commune_a.pk,
                        "geometry": geometry,
                        "status": "approved",
                    }
                ),
                content_type="application/json",
            )
            mx.check(
                role,
                "api create approved",
                "commune_a",
                "refuse",
                r,
                r.status_code in (400, 401, 403) and m.Proposal.objects.count() == count,
            )
            mx.invariants(role, "rest", "create")

    # Plain code: save(), QuerySet.update(), bulk_update() refuse the workflow fields.
    p = props["a_submitted"]
    for label, write in (
        ("save", lambda: _save(p.pk, status="approved")),
        ("save content of a submitted proposal", lambda: _save(p.pk, name="Đổi tên")),
        ("QuerySet.update", lambda: m.Proposal.objects.filter(pk=p.pk).update(status="approved")),
        (
            "bulk_update",
            lambda: m.Proposal.objects.bulk_update([_changed(p.pk, status="approved")], ["status"]),
        ),
        (
            "create approved",
            lambda: m.Proposal.objects.create(
                code="DX-FORGED",
                name="x",
                kind="CCN",
                geom=p.geom,
                admin_unit=p.admin_unit,
                status="approved",
            ),
        ),
        (
            "QuerySet.update of a submitted proposal's content",
            lambda: m.Proposal.objects.filter(pk=p.pk).update(name="Đổi tên hàng loạt"),
        ),
        (
            "bulk_create overwriting a stored proposal",
            lambda: m.Proposal.objects.bulk_create(
                [_changed(p.pk, status="approved")],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["status"],
            ),
        ),
        ("event by hand", lambda: m.ProposalEvent.objects.create(proposal=p, action="approved")),
        (
            "events bulk_create",
            lambda: m.ProposalEvent.objects.bulk_create(
                [m.ProposalEvent(proposal=p, action="approved")]
            ),
        ),
        (
            "events update",
            lambda: m.ProposalEvent.objects.filter(proposal=p).update(action="approved"),
        ),
        ("events delete", lambda: m.ProposalEvent.objects.filter(proposal=p).delete()),
    ):
        with undone():
            before = fingerprint(m.Proposal), m.ProposalEvent.objects.count()
            try:
                write()
                refused = False
            except m.WorkflowViolation:
                refused = True
            mx.check(
                "code",
                label,
                "a_submitted",
                "refuse",
                _Done(),
                refused and (fingerprint(m.Proposal), m.ProposalEvent.objects.count()) == before,
            )
            mx.invariants("code", "code", label)
    mx.finish()


def _changed(pk, **values):
    obj = m.Proposal.objects.get(pk=pk)
    for k, v in values.items():
        setattr(obj, k, v)
    return obj


def _save(pk, **values):
    _changed(pk, **values).save()


def _admin_post(c, url, proposal_data: dict, events: int):
    data = {
        **proposal_data,
        "events-TOTAL_FORMS": str(events),
        "events-INITIAL_FORMS": str(events),
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        # issue 13 rules: the phases inline (none sent)
        "phases-TOTAL_FORMS": "0",
        "phases-INITIAL_FORMS": "0",
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "1000",
        "_save": "Lưu",
    }
    return c.post(url, data)


def test_admin_is_one_more_door(matrix_world):
    """Django staff (the superuser) edit drafts in the admin; workflow fields are read only there,
    a proposal past its draft is view-only, and only drafts can be deleted."""
    world = matrix_world
    mx = WriteMatrix("admin", world)
    su = Client(HTTP_HOST="127.0.0.1")
    su.force_login(world["users"]["superuser"])
    props = world["proposals"]
    draft, submitted = props["a_draft"], props["a_submitted"]
    base = "/admin/planning/proposal/"

    def fields(p, **over):
        out = {
            "code": p.code,
            "name": p.name,
            "kind": p.kind,
            "geom": p.geom.ewkt,
            "admin_unit": p.admin_unit_id,
            "rationale": p.rationale,
        }
        out.update(over)
        return out

    def change_draft():
        r = _admin_post(
            su,
            f"{base}{draft.pk}/change/",
            fields(draft, name="Sửa trong admin", status="approved", decided_at_0="01/05/2026"),
            draft.events.count(),
        )
        now = m.Proposal.objects.get(pk=draft.pk)
        last = now.events.order_by("-created_at", "-pk").first()
        ok = (
            r.status_code == 302
            and now.name == "Sửa trong admin"
            and now.status == "draft"
            and now.decided_at is None
            and last.action == "edited"
        )
        mx.check(
            "superuser",
            "admin change draft (status sent too)",
            "a_draft",
            "allow",
            r,
            ok,
            f"status {r.status_code}, name {now.name!r}, status {now.status}, last {last.action}",
        )
        mx.invariants("superuser", "admin", "change draft")

    rolled_back(change_draft)

    def change_submitted():
        before = fingerprint(m.Proposal)
        r = _admin_post(
            su,
            f"{base}{submitted.pk}/change/",
            fields(submitted, name="Sửa khi đang thẩm định", status="approved"),
            submitted.events.count(),
        )
        mx.check(
            "superuser",
            "admin change submitted",
            "a_submitted",
            "refuse",
            r,
            r.status_code == 403 and fingerprint(m.Proposal) == before,
        )
        mx.invariants("superuser", "admin", "change submitted")

    rolled_back(change_submitted)

    def add():
        count = m.Proposal.objects.count()
        r = _admin_post(
            su,
            f"{base}add/",
            fields(draft, code="DX-ADMIN-1", name="Thêm trong admin", status="approved"),
            0,
        )
        new = m.Proposal.objects.filter(code="DX-ADMIN-1").first()
        ok = (
            r.status_code == 302
            and m.Proposal.objects.count() == count + 1
            and new.status == "draft"
            and list(new.events.values_list("action", flat=True)) == ["created"]
        )
        mx.check(
            "superuser",
            "admin add (status sent too)",
            "commune_a",
            "allow",
            r,
            ok,
            f"status {r.status_code}, {new and new.status}",
        )
        mx.invariants("superuser", "admin", "add")

    rolled_back(add)

    def delete_submitted():
        r = su.post(f"{base}{submitted.pk}/delete/", {"post": "yes"})
        mx.check(
            "superuser",
            "admin delete submitted",
            "a_submitted",
            "refuse",
            r,
            r.status_code == 403 and m.Proposal.objects.filter(pk=submitted.pk).exists(),
        )
        mx.invariants("superuser", "admin", "delete submitted")

    rolled_back(delete_submitted)

    def delete_draft():
        r = su.post(f"{base}{draft.pk}/delete/", {"post": "yes"})
        mx.check(
            "superuser",
            "admin delete draft",
            "a_draft",
            "allow",
            r,
            r.status_code == 302 and not m.Proposal.objects.filter(pk=draft.pk).exists(),
        )
        mx.invariants("superuser", "admin", "delete draft")

    rolled_back(delete_draft)
    r = su.get(base)
    mx.check(
        "superuser",
        "admin list: no bulk delete",
        "proposals",
        "allow",
        r,
        r.status_code == 200 and "delete_selected" not in r.content.decode(),
    )
    mx.finish()


@pytest.fixture(scope="module", autouse=True)
def _report_write_counts():
    yield
    print(
        f"\nAccess matrix, writes: {sum(WRITES.values())} writes checked with the workflow "
        f"invariants, by door {dict(sorted(WRITES.items()))}"
    )


def test_the_invariants_catch_a_bypass(matrix_world):
    """The detector is not blind: a proposal approved behind the workflow's back is reported."""
    world = matrix_world
    p = world["proposals"]["a_submitted"]
    assert workflow_violations(world) == []
    with m.workflow_write("test of the detector"):
        m.Proposal.objects.filter(pk=p.pk).update(status="approved", decided_at=p.updated_at)
    problems = workflow_violations(world)
    assert any("DX-A-SUB" in x and "timeline says 'submitted'" in x for x in problems), problems
    assert any("DX-A-SUB" in x and "resulting area" in x for x in problems), problems


@pytest.mark.parametrize("now", ["submitted", "changes_requested"])
def test_admin_history_revert_cannot_undo_a_step(matrix_world, now):
    """django-simple-history's "revert to this version" is a door too: a proposal past its draft
    cannot be reverted to its draft version. The revert form judges the old version's rights (a
    draft's), so the write reaches the model's rule, which refuses it with the reason (the form
    again, 200)."""
    world = matrix_world
    su = Client(HTTP_HOST="127.0.0.1")
    su.force_login(world["users"]["superuser"])
    p = world["proposals"]["a_draft"]
    draft_version = p.history.earliest()
    with m.workflow_write("fixture"):  # the steps, as the workflow would record them
        p.status, p.submitted_at = now, p.updated_at
        p.save()
        m.ProposalEvent.objects.create(proposal=p, action="submitted")
        if now == "changes_requested":
            m.ProposalEvent.objects.create(proposal=p, action="changes_requested")
    before = fingerprint(m.Proposal)
    url = f"/admin/planning/proposal/{p.pk}/history/{draft_version.history_id}/"
    r = _admin_post(
        su,
        url,
        {
            "code": p.code,
            "name": p.name,
            "kind": p.kind,
            "geom": p.geom.ewkt,
            "admin_unit": p.admin_unit_id,
            "rationale": p.rationale,
        },
        p.events.count(),
    )
    assert r.status_code == 200, r.status_code
    assert fingerprint(m.Proposal) == before
    assert m.Proposal.objects.get(pk=p.pk).status == now
    assert workflow_violations(world) == []
    assert "quy trình thẩm định" in r.content.decode()


def test_an_approved_proposals_area_and_checks_stay(matrix_world):
    """Two more doors: deleting the planned area an approval created (WFS-T, the admin, an import
    replacing the layer) would unlink the decision; re-running the checks of a decided proposal
    would overwrite the checks it was decided on."""
    from planning.services import proposals as workflow

    world = matrix_world
    mx = WriteMatrix("decided proposals", world)
    p = world["proposals"]["a_submitted"]
    approved = workflow.proposal_act(world["users"]["industry"], p, "approve")
    assert approved.status == "approved" and approved.resulting_area_id
    area, checks = approved.resulting_area, approved.validation
    assert not workflow_violations(world)
    for role in ("industry", "admin", "superuser"):
        c = client_for(world, role)

        with undone():
            r = c.generic(
                "POST",
                "/ows/wfs",
                delete_body(CATALOGUE["industrial_areas"], area.pk).encode(),
                content_type="text/xml",
            )
            mx.check(
                role,
                "wfs-t Delete the approved area",
                area.code,
                "refuse",
                r,
                r.status_code in (400, 403)
                and m.IndustrialArea.objects.filter(pk=area.pk).exists(),
            )
            mx.invariants(role, "wfs-t", "delete approved area")

        with undone():
            r = c.post(f"/api/v1/proposals/{p.pk}/validate/")
            kept = m.Proposal.objects.get(pk=p.pk).validation == checks
            mx.check(
                role,
                "re-check a decided proposal",
                p.code,
                "allow",
                r,
                r.status_code == 200 and kept,
                f"status {r.status_code}, stored checks kept: {kept}",
            )
            mx.invariants(role, "rest", "validate decided")
    su = Client(HTTP_HOST="127.0.0.1")
    su.force_login(world["users"]["superuser"])

    def admin_delete():
        r = su.post(f"/admin/planning/industrialarea/{area.pk}/delete/", {"post": "yes"})
        mx.check(
            "superuser",
            "admin delete the approved area",
            area.code,
            "refuse",
            r,
            m.IndustrialArea.objects.filter(pk=area.pk).exists(),
        )
        mx.invariants("superuser", "admin", "delete approved area")

    rolled_back(admin_delete)
    mx.finish()


def test_a_body_that_is_not_an_object_is_a_400_not_a_500(matrix_world):
    c = client_for(matrix_world, "staff_a")
    draft = matrix_world["proposals"]["a_draft"]
    for method, url in (
        ("post", "/api/v1/proposals/"),
        ("patch", f"/api/v1/proposals/{draft.pk}/"),
    ):
        r = getattr(c, method)(
            url, data=json.dumps([{"status": "approved"}]), content_type="application/json"
        )
        assert r.status_code == 400, (method, r.status_code, r.content[:200])
