"""The access matrix: every role × every catalogue layer × every operation, allowed or refused.

The expected verdicts are restated here, independently of ``planning/access.py`` (calling it
would prove nothing), from three declared sources:

* the catalogue (``layers/catalogue.py``): each layer's ``read_roles`` and ``edit_roles``
  ("anonymous" = everyone, "staff" = any signed-in holder of a role; administrators always);
* the scope rule (README, ``access.py`` docstring): a membership covers its unit, everything
  below it, and the units linked to those across the 1 July 2025 reform — written out below for
  the world of ``conftest.py``; a feature lies in its ``admin_unit``, or, having none, in its
  park's (secondary projects, connectors);
* the proposal workflow (README, ``planning/services/proposals.py``): staff of the unit see and
  edit its proposals; the reviewer of the kind (Sở Công Thương for CCN, BQL KKT for KCN) in the
  province sees them once submitted and takes the review steps; administrators do everything.

What the code intends, and the matrix checks: a layer you may read is published whole (WFS, API,
WMS); administrative-unit scope restricts *editing* (``layers/wfs/selectors.py``). The proposals
API shows the workflow's narrower view.

Expectations that differ from a first reading, and why (checked against the code's intent):

* Reading is not limited to one's unit, except for drafts: a reader of ``proposals`` gets every
  *submitted* (or later) proposal over WFS and ``/api/v1/layers/proposals/``, and a draft only
  when they are staff of its unit or an administrator; the WMS never draws drafts (tiles are
  shared). ``/api/v1/proposals/`` and the pages show the workflow's narrower view.
* The Django admin (``/admin/``, ``/admin/audit/``) needs Django's ``is_staff``: a Membership
  ``admin`` without it is sent to the admin's login like everyone else.
* ``/proposals/new/`` is for those who draft (staff, administrators): reviewers get the 403 page.
* The map draws today's administrative units and the pre-2025 districts only; its checks use a
  post-2025 commune, and the tile on the unit's outline (units are drawn as outlines).
* Anonymous WFS callers asking for a staff layer get 400 (the layer "does not exist" for them);
  signed-in callers without the right 403. The REST API answers 401 / 403.

Every response body (except the Django admin's own pages) is searched for the parcels' holder
names and ID numbers (``ClearanceParcel.PERSONAL_FIELDS``): they must appear nowhere.

Each test loops over roles and operations, collects every mismatch and fails once with the whole
table. ``-s`` prints the number of requests and verdicts at the end of the module.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import zipfile
import zlib
from collections import Counter
from contextlib import contextmanager
from functools import partial

import pytest
from django.db import models as dm
from django.db import transaction
from django.test import Client
from lxml import etree
from PIL import Image

from layers.catalogue import CATALOGUE
from planning import models as m
from tests.security.conftest import ROLES, SECRETS

pytestmark = pytest.mark.django_db(transaction=True)

STATS: Counter = Counter()

# --- the world's administrative tree, restated (conftest.matrix_world) -----------------------
CHILDREN = {
    "bd": ["district", "commune_b"],
    "district": ["commune_a", "spare_a"],
    "gl": ["new_commune"],
    "st": ["commune_s", "spare_s"],
}
LINKS = [("bd", "gl"), ("commune_a", "new_commune")]  # 2025 successions (old, new)
MEMBER_ROLE = {name: spec[0] for name, spec in ROLES.items() if spec}
STAFF_ROLES = ("commune_staff", "district_staff")
REVIEWER_OF = {"CCN": "industry_reviewer", "KCN": "ezone_reviewer"}
RESULT_LAYERS = ("suggested_sites", "infrastructure_connectors")  # written by analysis runs only


def is_admin(role: str) -> bool:
    return role in ("admin", "superuser")


def roles_of(role: str) -> set[str]:
    out = {"anonymous"}
    if role in MEMBER_ROLE:
        out |= {MEMBER_ROLE[role], "staff"}
    if is_admin(role):
        out |= {"admin", "staff"}
    return out


def has_role(role: str) -> bool:
    return is_admin(role) or role in MEMBER_ROLE


def may_read(role: str, spec) -> bool:
    return is_admin(role) or bool(roles_of(role) & set(spec.read_roles))


def may_edit_layer(role: str, spec) -> bool:
    return is_admin(role) or bool(roles_of(role) & set(spec.edit_roles))


def scope(role: str, member_roles=None) -> set[str] | None:
    """Unit keys where ``role`` acts (holding one of ``member_roles``); None = everywhere."""
    if is_admin(role):
        return None
    if role not in MEMBER_ROLE or (member_roles and MEMBER_ROLE[role] not in member_roles):
        return set()
    down, frontier = set(), [ROLES[role][1]]
    while frontier:
        key = frontier.pop()
        down.add(key)
        frontier += CHILDREN.get(key, [])
    return down | {b for a, b in LINKS if a in down} | {a for a, b in LINKS if b in down}


def in_scope(unit_key: str | None, sc: set[str] | None) -> bool:
    return sc is None or (unit_key is not None and unit_key in sc)


# --- proposals -----------------------------------------------------------------------------
def in_workflow(role: str) -> bool:
    return is_admin(role) or MEMBER_ROLE.get(role) in (*STAFF_ROLES, *REVIEWER_OF.values())


def p_edit(role, unit_key) -> bool:
    return in_scope(unit_key, scope(role, STAFF_ROLES))


def p_review(role, unit_key, kind) -> bool:
    return in_scope(unit_key, scope(role, (REVIEWER_OF[kind],)))


def p_see(role, unit_key, kind, status) -> bool:
    return p_edit(role, unit_key) or (status != "draft" and p_review(role, unit_key, kind))


# --- requests and verdicts -------------------------------------------------------------------
def client_for(world, role: str) -> Client:
    c = Client(HTTP_HOST="127.0.0.1")
    if role != "anonymous":
        c.force_login(world["users"][role])
    return c


def body_text(response) -> str:
    """Everything a reader could find in the body: zip members (XLSX), inflated PDF streams."""
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    parts = [raw]
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                parts += [z.read(n) for n in z.namelist()]
        except zipfile.BadZipFile:
            pass
    if raw[:5] == b"%PDF-":
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
            try:
                parts.append(zlib.decompress(stream))
            except zlib.error:
                pass
    text = b"\n".join(parts).decode("utf-8", "replace")
    return text + json.dumps(text)  # also \u-escaped forms


def personal_data_in(text: str) -> list[str]:
    """The secrets found in ``text``, written plainly, JSON-escaped, as XML or HTML character
    references."""
    found = []
    for secret in SECRETS:
        forms = {
            secret,
            json.dumps(secret)[1:-1],
            secret.encode("ascii", "xmlcharrefreplace").decode(),
            "".join(f"&#x{ord(ch):x};" if ord(ch) > 127 else ch for ch in secret),
            html.escape(secret),
        }
        if any(f in text for f in forms):
            found.append(secret)
    return found


class Matrix:
    def __init__(self, name: str):
        self.name = name
        self.mismatches: list[tuple] = []

    def check(
        self, role, op, target, expected: str, response, ok: bool, why: str = "", *, personal=True
    ):
        STATS["requests"] += 1
        STATS[f"{self.name}: {'allowed' if expected.startswith('allow') else 'refused'}"] += 1
        if personal:
            leaked = personal_data_in(body_text(response))
            if leaked:
                self.mismatches.append(
                    (role, op, target, expected, response.status_code, f"PERSONAL DATA {leaked}")
                )
                STATS["personal data leaks"] += 1
                return
        if not ok:
            detail = why or _snippet(response)
            self.mismatches.append((role, op, target, expected, response.status_code, detail))
            STATS["mismatches"] += 1

    def expect(
        self,
        role,
        op,
        target,
        allowed: bool,
        response,
        ok_statuses,
        refused_statuses,
        *,
        extra=None,
        personal=True,
    ):
        """``allowed``: status in ok_statuses and ``extra`` true; refused: in refused_statuses.

        ``extra``: ``ok`` or ``(ok, why)``, or a callable returning one (called only when the
        status is an allowed one, e.g. to read its body).
        """
        status = response.status_code
        if allowed:
            ok = status in ok_statuses
            why = ""
            if ok and extra is not None:
                res = extra() if callable(extra) else extra
                ok, why = (res, "") if isinstance(res, bool) else res
        else:
            ok = status in refused_statuses
            why = ""
        self.check(
            role,
            op,
            target,
            f"{'allow' if allowed else 'refuse'} "
            f"{sorted(ok_statuses if allowed else refused_statuses)}",
            response,
            ok,
            why,
            personal=personal,
        )

    def finish(self):
        if self.mismatches:
            width = max(len(str(r[1])) for r in self.mismatches)
            lines = [
                f"{r[0]:<10} {r[1]:<{width}} {str(r[2])[:28]:<28} expected {r[3]:<22} "
                f"got {r[4]}  {r[5]}"
                for r in self.mismatches
            ]
            pytest.fail(
                f"{len(self.mismatches)} access-matrix mismatches ({self.name}):\n"
                + "\n".join(lines),
                pytrace=False,
            )


def _snippet(response) -> str:
    try:
        return body_text(response)[:160].replace("\n", " ")
    except Exception:  # noqa: BLE001
        return ""


def refused_api(role):
    """How the REST API refuses: 401 to the anonymous (it asks for credentials), 403 otherwise."""
    return {401} if role == "anonymous" else {403}


class Rollback(Exception):
    pass


@contextmanager
def undone():
    """Undo whatever the block (a request and its checks) writes."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def rolled_back(fn):
    """Run ``fn`` (a request and its checks), undo whatever it wrote; its result."""
    with undone():
        value = fn()
    return value


def unit_key(world, obj) -> str | None:
    """The unit a feature lies in: its admin_unit, else its park's; an AdminUnit is its own."""
    keys = {u.pk: k for k, u in world["units"].items()}
    if isinstance(obj, m.AdminUnit):
        return keys.get(obj.pk)
    uid = getattr(obj, "admin_unit_id", None)
    if uid is None and getattr(obj, "area_id", None):
        uid = m.IndustrialArea.objects.get(pk=obj.area_id).admin_unit_id
    return keys.get(uid)


def fingerprint(model) -> list:
    """Every row of a table (for "a refused request changed nothing")."""

    def plain(v):
        return v.wkt if hasattr(v, "wkt") else v

    return [tuple(map(plain, row)) for row in model._default_manager.order_by("pk").values_list()]


LAYERS = sorted(CATALOGUE)


# ============================================================================================
# Layers: REST API, WFS reads, imports
# ============================================================================================
def test_layer_reads_api_writes_and_imports(matrix_world):
    world = matrix_world
    mx = Matrix("layers")
    totals = {name: CATALOGUE[name].model._default_manager.count() for name in LAYERS}
    unit_keys = {u.pk: k for k, u in world["units"].items()}

    def expected_rows(role, name):
        """Rows a reader gets: every row, but a draft proposal only for its unit's staff."""
        if name != "proposals":
            return totals[name]
        return sum(
            1
            for p in m.Proposal.objects.all()
            if p.status != "draft" or is_admin(role) or p_edit(role, unit_keys[p.admin_unit_id])
        )

    def sample_visible(role, name, sample):
        return (
            name != "proposals"
            or sample.status != "draft"
            or is_admin(role)
            or p_edit(role, unit_keys[sample.admin_unit_id])
        )

    before = {name: fingerprint(CATALOGUE[name].model) for name in LAYERS}
    for role in ROLES:
        c = client_for(world, role)
        for name in LAYERS:
            spec = CATALOGUE[name]
            readable = may_read(role, spec)
            sample = world["samples"][name]["in"]
            base = f"/api/v1/layers/{name}/"

            want = expected_rows(role, name)
            r = c.get(base, {"limit": 5000})
            mx.expect(
                role,
                "api list",
                name,
                readable,
                r,
                {200},
                refused_api(role),
                extra=lambda r=r, w=want: (
                    len(r.json()["features"]) == w,
                    f"{len(r.json()['features'])} of {w} features",
                ),
            )
            r = c.get(f"{base}{sample.pk}/")
            if readable and not sample_visible(role, name, sample):
                mx.expect(role, "api detail (another unit's draft)", name, False, r, set(), {404})
            else:
                mx.expect(
                    role,
                    "api detail",
                    name,
                    readable,
                    r,
                    {200},
                    refused_api(role),
                    extra=lambda r=r, s=sample: r.json()["id"] == s.pk,
                )
            # The layer API is read-only for everyone: writes go through WFS-T, imports, the
            # workflow.
            no_write = {401} if role == "anonymous" else ({403} if not has_role(role) else {405})
            for method, url in (
                ("post", base),
                ("put", f"{base}{sample.pk}/"),
                ("patch", f"{base}{sample.pk}/"),
                ("delete", f"{base}{sample.pk}/"),
            ):
                r = getattr(c, method)(
                    url, data=json.dumps({"name": "x"}), content_type="application/json"
                )
                mx.expect(role, f"api {method}", name, False, r, set(), no_write)

            params = {
                "SERVICE": "WFS",
                "VERSION": "2.0.0",
                "REQUEST": "GetFeature",
                "TYPENAMES": name,
                "OUTPUTFORMAT": "application/json",
                "COUNT": 5000,
            }
            # Hidden layers do not exist for the anonymous (400); signed-in callers learn why (403).
            wfs_refused = {400} if role == "anonymous" else {403}
            r = c.get("/ows/wfs", params)
            mx.expect(
                role,
                "wfs GetFeature",
                name,
                readable,
                r,
                {200},
                wfs_refused,
                extra=lambda r=r, w=want: (
                    len(r.json()["features"]) == w,
                    f"{len(r.json()['features'])} of {w} features",
                ),
            )
            r = c.get(
                "/ows/wfs",
                {
                    "SERVICE": "WFS",
                    "VERSION": "2.0.0",
                    "REQUEST": "DescribeFeatureType",
                    "TYPENAMES": name,
                },
            )
            mx.expect(
                role,
                "wfs DescribeFeatureType",
                name,
                readable,
                r,
                {200},
                wfs_refused,
                extra=lambda r=r, n=name: (
                    f'name="{n}' in r.content.decode() or n in r.content.decode()
                ),
            )
            r = c.get(
                "/ows/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetCapabilities"}
            )
            listed = (
                re.search(rf"<wfs:Name>(kcn:)?{name}</wfs:Name>", r.content.decode()) is not None
            )
            mx.check(
                role,
                "wfs GetCapabilities lists",
                name,
                "allow" if readable else "refuse",
                r,
                r.status_code == 200 and listed == readable,
                f"listed={listed}",
            )

            # Import: the rights are checked before the file, so an empty file tells them apart
            # (400 "empty" = permitted; 403 = refused). Result layers are never imported.
            upload = io.BytesIO(b"")
            upload.name = "empty.geojson"
            r = c.post(
                "/api/v1/imports/",
                {"layer": name, "file": upload, "mode": "append"},
                HTTP_ACCEPT_LANGUAGE="en",
            )  # the checks below read the English reasons
            if name in RESULT_LAYERS and has_role(role):
                mx.expect(
                    role,
                    "import",
                    name,
                    True,
                    r,
                    {400},
                    set(),
                    extra=lambda r=r: "analysis" in r.content.decode(),
                )
            else:
                refused = refused_api(role)
                mx.expect(
                    role,
                    "import",
                    name,
                    has_role(role) and may_edit_layer(role, spec),
                    r,
                    {400},
                    refused,
                    extra=lambda r=r: ("empty" in r.content.decode(), _snippet(r)),
                )
        r = c.get("/api/v1/layers/")
        names = sorted(x["name"] for x in r.json()) if r.status_code == 200 else None
        want = sorted(n for n in LAYERS if may_read(role, CATALOGUE[n]))
        mx.check(role, "api layer index", "*", "allow", r, names == want, f"{names} != {want}")
    for name in LAYERS:
        if fingerprint(CATALOGUE[name].model) != before[name]:
            mx.mismatches.append(
                ("*", "refused writes", name, "no change", "-", "the table changed")
            )
    assert not m.ImportJob.objects.exists(), "an import job was created by a refused import"
    mx.finish()


# ============================================================================================
# WFS-T: Insert, Update, Delete — inside and outside the caller's units
# ============================================================================================
GML = "http://www.opengis.net/gml/3.2"
KCN_NS = "http://kcn-planner.vn/kcn"


def _text_field(spec):
    """A plain editable text property of the layer (the one an Update changes), or None."""
    model = spec.model
    keys = set((spec.key_field or "").split(","))
    for fname in spec.fields:
        f = model._meta.get_field(fname)
        if (
            isinstance(f, (dm.CharField, dm.TextField))
            and f.editable
            and not f.choices
            and not f.is_relation
            and fname not in keys
            and fname not in ("code", "status")
        ):
            return fname
    return None


def insert_body(admin_client, spec, sample) -> str:
    """A WFS 2.0 Insert of a copy of ``sample`` as GetFeature writes it (GML 3.2), keys made
    unique."""
    r = admin_client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": spec.name,
            "RESOURCEID": f"{spec.name}.{sample.pk}",
        },
    )
    assert r.status_code == 200, r.content[:300]
    root = etree.fromstring(r.content)
    feature = root.find(f".//{{{KCN_NS}}}{spec.name}")
    assert feature is not None, r.content[:300]
    feature.attrib.pop(f"{{{GML}}}id", None)
    for el in list(feature):
        if el.tag == f"{{{GML}}}boundedBy":
            feature.remove(el)
    keys = [k for k in (spec.key_field or "").split(",") if k]
    for el in feature:
        local = etree.QName(el).localname
        if local in keys and not spec.model._meta.get_field(local).is_relation and el.text:
            if local == "valid_from":
                continue
            el.text = (
                (el.text + "M")[-spec.model._meta.get_field(local).max_length :]
                if getattr(spec.model._meta.get_field(local), "max_length", None)
                else el.text + "M"
            )
        if local == "rank" and el.text:  # suggested sites: one rank per run
            el.text = "99"
    return (
        '<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0" '
        f'xmlns:gml="{GML}" xmlns:kcn="{KCN_NS}"><wfs:Insert>'
        + etree.tostring(feature, encoding="unicode")
        + "</wfs:Insert></wfs:Transaction>"
    )


def update_body(spec, pk, prop, value="Sửa bởi ma trận") -> str:
    return (
        '<wfs:Transaction service="WFS" version="2.0.0" '
        'xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" '
        f'xmlns:kcn="{KCN_NS}">'
        f'<wfs:Update typeName="kcn:{spec.name}"><wfs:Property>'
        f"<wfs:ValueReference>{prop}</wfs:ValueReference>"
        f"<wfs:Value>{value}</wfs:Value></wfs:Property>"
        f'<fes:Filter><fes:ResourceId rid="{spec.name}.{pk}"/></fes:Filter></wfs:Update>'
        "</wfs:Transaction>"
    )


def delete_body(spec, pk) -> str:
    return (
        '<wfs:Transaction service="WFS" version="2.0.0" '
        'xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" '
        f'xmlns:kcn="{KCN_NS}">'
        f'<wfs:Delete typeName="kcn:{spec.name}">'
        f'<fes:Filter><fes:ResourceId rid="{spec.name}.{pk}"/></fes:Filter></wfs:Delete>'
        "</wfs:Transaction>"
    )


# What a WFS-T action that went through changed (checked after the request, before the undo).
def _count_is(model, n: int) -> bool:
    return model._default_manager.count() == n


def _value_differs(model, pk, field: str, old) -> bool:
    return getattr(model._default_manager.get(pk=pk), field) != old


def _gone(model, pk) -> bool:
    return not model._default_manager.filter(pk=pk).exists()


def _wfs_attempt(mx, c, role, spec, op, body, target_key, changed, moved_to=None):
    """Post one WFS-T document as ``role`` and undo it: allowed (``changed()`` then true) or
    refused (the table unchanged), as the catalogue, the scope and the workflow say."""
    name, model = spec.name, spec.model
    allowed = may_edit_layer(role, spec) and in_scope(target_key, scope(role))
    if name == "proposals":  # drafts: staff of the unit (the workflow), administrators
        allowed = allowed and p_edit(role, target_key)
    if moved_to is not None:  # moving a feature needs the right in both units
        allowed = (
            allowed
            and in_scope(moved_to, scope(role))
            and (name != "proposals" or p_edit(role, moved_to))
        )
    # Anonymous callers are asked for credentials (401) or refused (403); others 403.
    refused = {401, 403} if role == "anonymous" else {403}
    before = fingerprint(model)
    with undone():
        r = c.generic("POST", "/ows/wfs", body.encode(), content_type="text/xml")
        after_changed = changed()
        same = fingerprint(model) == before
        mx.expect(
            role,
            op,
            name,
            allowed,
            r,
            {200},
            refused,
            extra=(after_changed, "the database did not change"),
        )
        if not allowed and not same:
            mx.mismatches.append(
                (role, op, name, "refused", r.status_code, "REFUSED BUT THE TABLE CHANGED")
            )


def test_wfs_transactions(matrix_world):
    world = matrix_world
    mx = Matrix("wfs-t")
    su = client_for(world, "superuser")
    inserts = {
        name: insert_body(su, CATALOGUE[name], world["samples"][name]["in"]) for name in LAYERS
    }
    for role in ROLES:
        c = client_for(world, role)
        for name in LAYERS:
            spec = CATALOGUE[name]
            model = spec.model
            attempt = partial(_wfs_attempt, mx, c, role, spec)
            attempt(
                "Insert",
                inserts[name],
                unit_key(world, world["samples"][name]["in"]),
                partial(_count_is, model, model._default_manager.count() + 1),
            )
            prop = _text_field(spec)
            for where in ("in", "out"):
                target = world["samples"][name][where]
                key = unit_key(world, target)
                if prop:
                    attempt(
                        f"Update {where}",
                        update_body(spec, target.pk, prop),
                        key,
                        partial(_value_differs, model, target.pk, prop, getattr(target, prop)),
                    )
                attempt(
                    f"Delete {where}",
                    delete_body(spec, target.pk),
                    key,
                    partial(_gone, model, target.pk),
                )
            # Move the "in" feature into Sóc Trăng (its unit, or its park for projects/connectors).
            target, dest = world["samples"][name]["in"], world["samples"][name]["out"]
            for fk in ("admin_unit", "area"):
                if (
                    fk in spec.fields
                    and fk in spec.foreign_keys
                    and getattr(dest, f"{fk}_id", None)
                ):
                    value = getattr(getattr(dest, fk), spec.foreign_keys[fk][1])
                    old_fk = getattr(target, f"{fk}_id")
                    attempt(
                        f"Update move {fk}",
                        update_body(spec, target.pk, fk, value),
                        unit_key(world, target),
                        partial(_value_differs, model, target.pk, f"{fk}_id", old_fk),
                        moved_to=unit_key(world, dest),
                    )
                    break
    mx.finish()


# ============================================================================================
# WMS GetMap / GetFeatureInfo, XYZ tiles (MapProxy + MapServer read the committed rows)
# ============================================================================================
def _painted(content: bytes) -> int:
    img = Image.open(io.BytesIO(content)).convert("RGBA")
    return sum(1 for a in img.getchannel("A").tobytes() if a > 0)


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_wms_getmap_featureinfo_and_tiles(matrix_world):
    world = matrix_world
    mx = Matrix("wms")
    for role in ROLES:
        c = client_for(world, role)
        r = c.get("/ows/wms", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetCapabilities"})
        listed = set(re.findall(r"<Name>([a-z_]+)</Name>", r.content.decode())) & set(LAYERS)
        want = {n for n in LAYERS if may_read(role, CATALOGUE[n])}
        mx.check(
            role,
            "wms GetCapabilities",
            "*",
            "allow",
            r,
            r.status_code == 200 and listed == want,
            f"lists {sorted(listed ^ want)} wrongly",
        )
        r = c.get("/ows/wmts/1.0.0/WMTSCapabilities.xml")
        listed = set(
            re.findall(r"<ows:Identifier>([a-z_]+)</ows:Identifier>", r.content.decode())
        ) & set(LAYERS)
        mx.check(
            role,
            "wmts capabilities",
            "*",
            "allow",
            r,
            r.status_code == 200 and listed == want,
            f"lists {sorted(listed ^ want)} wrongly",
        )
        for name in LAYERS:
            spec = CATALOGUE[name]
            readable = may_read(role, spec)
            sample = world["samples"][name]["map"]
            geom = getattr(sample, spec.geometry_field)
            x0, y0, x1, y1 = geom.extent
            pad = max(x1 - x0, y1 - y0, 0.01) * 0.5
            bbox = f"{x0 - pad},{y0 - pad},{x1 + pad},{y1 + pad}"
            params = {
                "SERVICE": "WMS",
                "VERSION": "1.1.1",
                "REQUEST": "GetMap",
                "LAYERS": name,
                "STYLES": "",
                "SRS": "EPSG:4326",
                "BBOX": bbox,
                "WIDTH": 256,
                "HEIGHT": 256,
                "FORMAT": "image/png",
                "TRANSPARENT": "TRUE",
            }
            r = c.get("/ows/wms", params)
            mx.expect(
                role,
                "wms GetMap",
                name,
                readable,
                r,
                {200},
                {401, 403},
                extra=lambda r=r: (
                    r["Content-Type"] == "image/png" and _painted(r.content) > 0,
                    f"{r['Content-Type']} not painted",
                ),
            )
            # The pixel over the sample: a point on the polygon, the middle of the line, the point.
            if geom.geom_type.endswith("Polygon"):
                cx, cy = geom.point_on_surface.coords
            elif geom.geom_type == "MultiLineString":
                cx, cy = geom[0].interpolate_normalized(0.5).coords
            elif geom.geom_type == "LineString":
                cx, cy = geom.interpolate_normalized(0.5).coords
            else:
                cx, cy = geom.coords
            w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
            px, py = int((cx - (x0 - pad)) / w * 256), int((y1 + pad - cy) / h * 256)
            r = c.get(
                "/ows/wms",
                {
                    **params,
                    "REQUEST": "GetFeatureInfo",
                    "QUERY_LAYERS": name,
                    "X": px,
                    "Y": py,
                    "INFO_FORMAT": "text/plain",
                    "FEATURE_COUNT": 5,
                },
            )
            ident = next(
                (
                    str(getattr(sample, f))
                    for f in ("code", "name", "feature_name", "parcel_no", "rank")
                    if f in spec.fields
                ),
                None,
            )
            mx.expect(
                role,
                "wms GetFeatureInfo",
                name,
                readable,
                r,
                {200},
                {401, 403},
                extra=lambda r=r, i=ident: (
                    i is None or i in r.content.decode("utf-8", "replace"),
                    f"{i!r} not in the answer",
                ),
            )
            # The tile under the feature's first vertex: on its outline (admin units are drawn as
            # outlines only, so the tile inside a commune is rightly empty).
            vx, vy = (
                geom.coords[0][0][0]
                if geom.geom_type == "MultiPolygon"
                else (
                    geom.coords[0][0]
                    if geom.geom_type == "MultiLineString"
                    else geom.coords[0]
                    if geom.geom_type == "LineString"
                    else geom.coords
                )
            )
            tx, ty = _tile(vx + 1e-6, vy + 1e-6, 14)
            if "anonymous" not in spec.read_roles:  # staff layers: the other identify formats too
                for fmt in ("text/html", "application/vnd.ogc.gml"):
                    r = c.get(
                        "/ows/wms",
                        {
                            **params,
                            "REQUEST": "GetFeatureInfo",
                            "QUERY_LAYERS": name,
                            "X": px,
                            "Y": py,
                            "INFO_FORMAT": fmt,
                            "FEATURE_COUNT": 5,
                        },
                    )
                    mx.expect(
                        role,
                        f"wms GetFeatureInfo {fmt}",
                        name,
                        readable,
                        r,
                        {200},
                        {401, 403},
                        extra=lambda r=r, i=ident: (
                            i is None or i in r.content.decode("utf-8", "replace"),
                            f"{i!r} not in the answer",
                        ),
                    )
            r = c.get(f"/ows/tiles/{name}/GLOBAL_WEBMERCATOR/14/{tx}/{ty}.png")
            mx.expect(
                role,
                "xyz tile",
                name,
                readable,
                r,
                {200},
                {401, 403},
                extra=lambda r=r: (
                    r["Content-Type"] == "image/png" and _painted(r.content) > 0,
                    f"{r['Content-Type']} not painted",
                ),
            )
    mx.finish()


# ============================================================================================
# Proposals: API list/detail/create/update/delete/actions/validate, and the pages
# ============================================================================================
# (action, proposal key, needs a comment, who: editor | reviewer | either, status afterwards)
ACTION_CASES = [
    ("submit", "a_draft", False, "editor", "submitted"),
    ("withdraw", "b_submitted", False, "editor", "withdrawn"),
    ("review", "a_submitted", False, "reviewer", "under_review"),
    ("request-changes", "a_submitted", True, "reviewer", "changes_requested"),
    ("approve", "a_kcn_review", False, "reviewer", "approved"),
    ("reject", "a_kcn_review", True, "reviewer", "rejected"),
    ("review", "new_submitted", False, "reviewer", "under_review"),
    ("comment", "s_submitted", True, "either", None),
    ("comment", "a_draft", True, "either", None),
]


def test_proposals_api_and_pages(matrix_world):
    world = matrix_world
    mx = Matrix("proposals")
    keys = {u.pk: k for k, u in world["units"].items()}
    props = {k: (p, keys[p.admin_unit_id]) for k, p in world["proposals"].items()}
    commune_a = world["units"]["commune_a"]
    geometry = {
        "type": "Polygon",
        "coordinates": [
            [[108.99, 14.0], [108.996, 14.0], [108.996, 14.006], [108.99, 14.006], [108.99, 14.0]]
        ],
    }
    for role in ROLES:
        c = client_for(world, role)
        wf = in_workflow(role)
        refused = refused_api(role)
        visible = {p.code for p, unit in props.values() if p_see(role, unit, p.kind, p.status)}

        r = c.get("/api/v1/proposals/")
        listed = {x["code"] for x in r.json()["results"]} if r.status_code == 200 else set()
        mx.expect(
            role,
            "api list",
            "proposals",
            wf,
            r,
            {200},
            refused,
            extra=(listed == visible, f"{sorted(listed)} != {sorted(visible)}"),
        )
        for key, (p, unit) in props.items():
            see = p_see(role, unit, p.kind, p.status)
            r = c.get(f"/api/v1/proposals/{p.pk}/")
            mx.expect(role, "api detail", key, wf and see, r, {200}, refused if not wf else {404})
            r = c.get(f"/proposals/{p.pk}/")
            page_refused = {302} if role == "anonymous" else ({403} if not wf else {404})
            mx.expect(
                role,
                "page detail",
                key,
                wf and see,
                r,
                {200},
                page_refused,
                extra=lambda r=r, p=p: p.code in r.content.decode(),
            )
        r = c.get("/proposals/")
        page_refused = {302} if role == "anonymous" else {403}
        hidden = {p.code for p, _u in props.values()} - visible
        shown = [h for h in hidden if h in r.content.decode()]
        mx.expect(
            role,
            "page list",
            "proposals",
            wf,
            r,
            {200},
            page_refused,
            extra=(not shown, f"shows {shown}"),
        )
        # Only those who draft (staff, administrators) get the form; reviewers a 403 page.
        r = c.get("/proposals/new/")
        drafts = is_admin(role) or MEMBER_ROLE.get(role) in STAFF_ROLES
        mx.expect(role, "page new", "proposals", drafts, r, {200}, page_refused)

        # Create a draft in commune A: its staff (and the district's, and administrators).
        may_create = p_edit(role, "commune_a")
        count = m.Proposal.objects.count()
        with undone():
            r = c.post(
                "/api/v1/proposals/",
                data=json.dumps(
                    {
                        "name": "Cụm công nghiệp ma trận",
                        "kind": "CCN",
                        "admin_unit": commune_a.pk,
                        "geometry": geometry,
                    }
                ),
                content_type="application/json",
            )
            stored = m.Proposal.objects.count() - count
            mx.expect(
                role,
                "api create",
                "commune_a",
                wf and may_create,
                r,
                {201},
                refused if not wf else {403},
                extra=(stored == 1, "not stored"),
            )
            if not (wf and may_create) and stored:
                mx.mismatches.append(
                    (role, "api create", "commune_a", "refused", r.status_code, "STORED ANYWAY")
                )

        draft, unit = props["a_draft"]
        see = p_see(role, unit, draft.kind, draft.status)
        not_allowed = refused if not wf else ({404} if not see else {403})

        with undone():
            r = c.patch(
                f"/api/v1/proposals/{draft.pk}/",
                data=json.dumps({"name": "Tên sửa bởi ma trận"}),
                content_type="application/json",
            )
            changed = m.Proposal.objects.get(pk=draft.pk).name == "Tên sửa bởi ma trận"
            mx.expect(
                role,
                "api update",
                "a_draft",
                wf and p_edit(role, unit),
                r,
                {200},
                not_allowed,
                extra=(changed, "not changed"),
            )
            if not (wf and p_edit(role, unit)) and changed:
                mx.mismatches.append(
                    (role, "api update", "a_draft", "refused", r.status_code, "CHANGED ANYWAY")
                )

        with undone():
            r = c.delete(f"/api/v1/proposals/{draft.pk}/")
            gone = not m.Proposal.objects.filter(pk=draft.pk).exists()
            mx.expect(
                role,
                "api delete",
                "a_draft",
                wf and p_edit(role, unit),
                r,
                {204},
                not_allowed,
                extra=(gone, "still there"),
            )
            if not (wf and p_edit(role, unit)) and gone:
                mx.mismatches.append(
                    (role, "api delete", "a_draft", "refused", r.status_code, "DELETED ANYWAY")
                )

        for action, key, comment, who, after in ACTION_CASES:
            p, unit = props[key]
            see = p_see(role, unit, p.kind, p.status)
            may = {
                "editor": p_edit(role, unit),
                "reviewer": p_review(role, unit, p.kind),
                "either": see and (p_edit(role, unit) or p_review(role, unit, p.kind)),
            }[who]
            not_allowed = refused if not wf else ({404} if not see else {403})
            events = m.ProposalEvent.objects.filter(proposal=p).count()

            with undone():
                r = c.post(
                    f"/api/v1/proposals/{p.pk}/{action}/",
                    data=json.dumps({"comment": "Ý kiến của ma trận"} if comment else {}),
                    content_type="application/json",
                )
                now = m.Proposal.objects.get(pk=p.pk)
                done = (
                    (now.status == after)
                    if after
                    else m.ProposalEvent.objects.filter(proposal=p).count() == events + 1
                )
                mx.expect(
                    role,
                    f"api {action}",
                    key,
                    wf and may,
                    r,
                    {200},
                    not_allowed,
                    extra=(done, f"status {now.status}"),
                )
                if not (wf and may) and (
                    now.status != p.status
                    or m.ProposalEvent.objects.filter(proposal=p).count() != events
                ):
                    mx.mismatches.append(
                        (role, f"api {action}", key, "refused", r.status_code, "CHANGED ANYWAY")
                    )

            with undone():
                r = c.post(
                    f"/proposals/{p.pk}/action/",
                    {"action": action, "comment": "Ý kiến của ma trận"},
                )
                now = m.Proposal.objects.get(pk=p.pk)
                done = (
                    (now.status == after)
                    if after
                    else m.ProposalEvent.objects.filter(proposal=p).count() == events + 1
                )
                page_no = (
                    {302}
                    if role == "anonymous"
                    else ({403} if not wf else ({404} if not see else {403}))
                )
                mx.expect(
                    role,
                    f"page {action}",
                    key,
                    wf and may,
                    r,
                    {302},
                    page_no,
                    extra=(done, f"status {now.status}"),
                )
                if not (wf and may) and now.status != p.status:
                    mx.mismatches.append(
                        (role, f"page {action}", key, "refused", r.status_code, "CHANGED ANYWAY")
                    )

        r = c.get(f"/proposals/{draft.pk}/edit/")
        see = p_see(role, unit, draft.kind, draft.status)
        page_no = (
            {302} if role == "anonymous" else ({403} if not wf else ({404} if not see else {403}))
        )
        mx.expect(role, "page edit", "a_draft", wf and p_edit(role, unit), r, {200}, page_no)
        # Checking a boundary before saving it: any holder of a role (nothing is stored).
        r = c.post(
            "/api/v1/proposals/check/",
            data=json.dumps(
                {"geometry": geometry, "kind": "CCN", "admin_unit": "21907", "store": False}
            ),
            content_type="application/json",
        )
        mx.expect(role, "api check", "boundary", has_role(role), r, {200}, refused)

        # Re-running the rule checks of a stored proposal: whoever may see it and act on it
        # (its staff, its reviewer); StaffRole first, so the anonymous get 401.
        for key in ("a_draft", "s_submitted", "a_submitted"):
            p, unit = props[key]
            may = p_see(role, unit, p.kind, p.status) and (
                p_edit(role, unit) or p_review(role, unit, p.kind)
            )
            with undone():
                r = c.post(f"/api/v1/proposals/{p.pk}/validate/")
            mx.expect(
                role,
                "api validate",
                key,
                may,
                r,
                {200},
                refused if not has_role(role) else {403, 404},
            )
    mx.finish()


# ============================================================================================
# Analyses, runs, exports, imports and jobs lists
# ============================================================================================
REPORTS = {
    "efficiency": "/api/v1/efficiency/",
    "targets": "/api/v1/watch-list/",
    "eco-readiness": "/api/v1/eco-readiness/",
    "infrastructure-gaps": "/api/v1/infrastructure-gaps/",
    "plan-vs-actual": "/api/v1/plan-vs-actual/",
}


def test_analyses_runs_exports_and_jobs(matrix_world):
    from planning.services.analyses import analysis_spec

    world = matrix_world
    mx = Matrix("analyses")

    def may_read_analysis(role, name):
        return all(may_read(role, CATALOGUE[layer]) for layer in analysis_spec(name).input_layers)

    # A finished efficiency run started by the administrator (for the run export).
    admin = client_for(world, "admin")
    r = admin.post(
        "/api/v1/analyses/efficiency/",
        data=json.dumps({"province": "52"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content[:300]
    eff_run = r.json()["id"]
    job = m.ImportJob.objects.create(
        layer="road_corridors",
        file="imports/roads.geojson",
        original_name="roads.geojson",
        status="done",
        started_by=world["users"]["staff_a"],
    )
    runs = {
        "site-suggestion": world["runs"]["sites"].pk,
        "infrastructure-gaps": world["runs"]["infrastructure"].pk,
        "efficiency": eff_run,
    }
    for role in ROLES:
        c = client_for(world, role)
        refused = refused_api(role)
        staff = has_role(role)
        for name, url in REPORTS.items():
            for fmt in ("json", "csv", "xlsx") if name == "efficiency" else ("json",):
                r = c.get(url, {"province": "52", "format": fmt})
                mx.expect(
                    role, f"report {fmt}", name, may_read_analysis(role, name), r, {200}, refused
                )
        # Starting a run: any holder of a role (StaffRole), an efficiency run answers at once.
        with undone():
            r = c.post(
                "/api/v1/analyses/efficiency/",
                data=json.dumps({"province": "52"}),
                content_type="application/json",
            )
        mx.expect(role, "analysis POST", "efficiency", staff, r, {201}, refused)
        for name, pk in runs.items():
            readable = (
                may_read_analysis(role, name) or role == "admin"
            )  # the admin started the efficiency run
            r = c.get(f"/api/v1/analyses/runs/{pk}/")
            mx.expect(role, "run detail", name, readable, r, {200}, refused)
        pk = runs["site-suggestion"]
        ok = may_read_analysis(role, "site-suggestion")
        r = c.get(f"/api/v1/analyses/runs/{pk}/sites/")
        mx.expect(
            role,
            "run sites",
            "site-suggestion",
            ok,
            r,
            {200},
            refused,
            extra=lambda r=r: len(r.json()["features"]) == 2,
        )
        for fmt in ("csv", "xlsx", "gpkg"):
            r = c.get(f"/api/v1/analyses/runs/{pk}/sites/export/", {"format": fmt})
            mx.expect(role, f"sites export {fmt}", "site-suggestion", ok, r, {200}, refused)
        pk = runs["infrastructure-gaps"]
        r = c.get(f"/api/v1/analyses/runs/{pk}/connectors/")
        mx.expect(
            role,
            "run connectors",
            "infrastructure-gaps",
            may_read_analysis(role, "infrastructure-gaps"),
            r,
            {200},
            refused,
        )
        for fmt in ("csv", "xlsx"):
            r = c.get(f"/api/v1/analyses/runs/{eff_run}/export/", {"format": fmt})
            mx.expect(
                role,
                f"run export {fmt}",
                "efficiency",
                may_read_analysis(role, "efficiency") or role == "admin",
                r,
                {200},
                refused,
            )
        r = c.get("/api/v1/analyses/runs/")
        kinds = {x["kind"] for x in r.json()["results"]} if r.status_code == 200 else set()
        # Without a role: only finished runs of analyses whose layers are public.
        hidden = {"site-suggestion"} if not staff else set()
        mx.check(
            role,
            "run list",
            "*",
            "allow",
            r,
            r.status_code == 200 and not kinds & hidden,
            f"kinds {kinds}",
        )
        # An import job is its starter's (and the administrators'); others do not learn it exists.
        r = c.get(f"/api/v1/imports/{job.pk}/")
        owner_or_admin = role in ("staff_a", "admin", "superuser")
        mx.expect(
            role,
            "import detail",
            "staff_a's job",
            owner_or_admin,
            r,
            {200},
            refused if role == "anonymous" else {404},
            extra=lambda r=r: r.json()["id"] == job.pk,
        )
        r = c.get("/api/v1/imports/")
        if r.status_code == 200:
            ids = {j["id"] for j in r.json()["results"]}
            mx.check(
                role,
                "import list",
                "staff_a's job",
                "allow",
                r,
                (job.pk in ids) == owner_or_admin,
                f"ids {ids}",
            )
        # Lists of one's own jobs: any signed-in user; nobody else's jobs.
        for url in ("/api/v1/imports/", "/api/v1/jobs/"):
            r = c.get(url)
            body = r.json() if r.status_code == 200 else {}
            ids = [j.get("id") for j in body.get("jobs", body.get("results", []))]
            mx.expect(
                role,
                "list",
                url,
                role != "anonymous",
                r,
                {200},
                {401},
                extra=(
                    role == "admin" or str(eff_run) not in json.dumps(ids),
                    "shows another user's run",
                ),
            )
    mx.finish()


# ============================================================================================
# Pages and downloads
# ============================================================================================
def test_pages_and_downloads(matrix_world):
    world = matrix_world
    mx = Matrix("pages")
    bd = world["units"]["bd"]
    kcn = world["areas"]["KCN-NH"]
    for role in ROLES:
        c = client_for(world, role)
        parcels_ok = may_read(role, CATALOGUE["clearance_parcels"])
        monitoring = all(
            may_read(role, CATALOGUE[n])
            for n in ("industrial_areas", "secondary_projects", "clearance_parcels")
        )
        for url in (
            "/",
            "/search.json?q=Nh%C6%A1n",
            "/context.geojson",
            f"/dashboards/{bd.pk}/",
            f"/dashboards/areas/{kcn.pk}/",
            f"/dashboards/{bd.pk}/areas.csv",
            f"/dashboards/{bd.pk}/plan_vs_actual.csv",
            f"/dashboards/{bd.pk}/dashboard.xlsx",
            f"/dashboards/areas/{kcn.pk}/projects.csv",
            f"/dashboards/areas/{kcn.pk}/dashboard.xlsx",
            f"/dashboards/areas/{kcn.pk}/sheet.pdf",
            "/api/v1/layers/",
            "/api/schema/",
        ):
            r = c.get(url)
            mx.expect(role, "page", url, True, r, {200}, set())
        r = c.get("/dashboards/")
        mx.expect(role, "page", "/dashboards/", True, r, {200, 302}, set())
        # The map's search looks only in layers the caller may read.
        readable = {n for n in LAYERS if may_read(role, CATALOGUE[n])}
        for q in ("DX", "Cát", "Nhà máy", "12", "CCN"):
            r = c.get("/search.json", {"q": q, "limit": 50})
            layers = {x["layer"] for x in r.json()["results"]} if r.status_code == 200 else None
            mx.check(
                role,
                "search",
                q,
                "allow",
                r,
                layers is not None and layers <= readable,
                f"results from {sorted((layers or set()) - readable)}",
            )
        # Staff-only tables: the watch list (targets analysis) and the clearance table.
        r = c.get(f"/dashboards/{bd.pk}/watch_list.csv")
        mx.expect(role, "download", "watch_list.csv", monitoring, r, {200}, {404})
        r = c.get(f"/dashboards/areas/{kcn.pk}/clearance.csv")
        mx.expect(role, "download", "clearance.csv", parcels_ok, r, {200}, {404})
        if role == "superuser":
            # The detector sees what the matrix looks for: the admin's own parcel form shows them.
            r = c.get(f"/admin/planning/clearanceparcel/{world['parcels']['a'].pk}/change/")
            assert r.status_code == 200 and personal_data_in(body_text(r)), (
                "the personal-data detector is blind"
            )
        # The Django admin: Django staff only (the superuser here); the others go to its login.
        for url in ("/admin/", "/admin/audit/", "/admin/planning/clearanceparcel/"):
            r = c.get(url)
            mx.expect(role, "admin page", url, role == "superuser", r, {200}, {302}, personal=False)
    mx.finish()


@pytest.fixture(scope="module", autouse=True)
def _report_matrix_counts():
    yield
    verdicts = {k: v for k, v in sorted(STATS.items()) if ":" in k}
    print(
        f"\nAccess matrix: {STATS['requests']} requests, {STATS['mismatches']} mismatches, "
        f"{STATS['personal data leaks']} personal-data leaks; verdicts {verdicts}"
    )
