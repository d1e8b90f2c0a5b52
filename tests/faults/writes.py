"""Writes by several users through two doors, each acknowledged write remembered, for the crash
test and the load bench: WFS-T inserts of several proposals in one transaction, WFS-T updates,
REST API creation then submission.

Every answer is parsed: an acknowledged write is one whose body says so (a WFS
``TransactionSummary`` with the counts asked for and the new ids; the API's JSON with the id and
status). Afterwards :meth:`WriteLoad.check_stored` reads the database and lists every
acknowledged write that is missing, and every transaction seen in part.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import requests

from tests.faults.server import COMMUNE_CODE, STAFF, STAFF_PASSWORD

NS = {
    "wfs": "http://www.opengis.net/wfs/2.0",
    "fes": "http://www.opengis.net/fes/2.0",
    "ows": "http://www.opengis.net/ows/1.1",
}
#: Proposals per WFS-T insert transaction: all of them are stored, or none.
BATCH = 4
#: Commune staff users of the fault database (:data:`USERS_SCRIPT` adds the two others).
USERS = [
    (STAFF, STAFF_PASSWORD),  # the user tests.faults.server's set-up makes
    ("canbo_fault2", "pw-canbo-fault-2"),
    ("canbo_fault3", "pw-canbo-fault-3"),
]
USERS_SCRIPT = f"""
from django.contrib.auth import get_user_model
from planning.models import AdminUnit, Membership
commune = AdminUnit.objects.get(code="{COMMUNE_CODE}")
for name, password in {USERS[1:]!r}:
    user = get_user_model().objects.create_user(name, password=password)
    Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
"""
# The commune of tests.faults.server: 108.95–109.1 E, 13.95–14.1 N. Proposals are 0.0035°
# squares (≈ 14 ha: a cluster of allowed size) on a grid inside it.
_X0, _Y0, _SIDE, _STEP, _PER_ROW = 108.952, 13.952, 0.0035, 0.0037, 38


def _square(k: int) -> tuple[float, float, float, float]:
    k %= _PER_ROW * _PER_ROW
    x0, y0 = _X0 + (k % _PER_ROW) * _STEP, _Y0 + (k // _PER_ROW) * _STEP
    return x0, y0, x0 + _SIDE, y0 + _SIDE


def basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


#: The fault database's writers: (name, Authorization header).
FAULT_WRITERS = [(name, basic(name, password)) for name, password in USERS]
#: Squares inside the fault database's commune.
FAULT_SQUARES = [_square(k) for k in range(_PER_ROW * _PER_ROW)]


def wfs_insert_body(names: list[str], squares: list, commune: str = COMMUNE_CODE) -> str:
    members = []
    for i, (name, (x0, y0, x1, y1)) in enumerate(zip(names, squares, strict=True)):
        # EPSG:4326 in the urn form: latitude first.
        ring = f"{y0} {x0} {y0} {x1} {y1} {x1} {y1} {x0} {y0} {x0}"
        members.append(
            f"""<wfs:Insert><kcn:proposals>
            <kcn:name>{name}</kcn:name><kcn:kind>CCN</kcn:kind>
            <kcn:admin_unit>{commune}</kcn:admin_unit><kcn:rationale>tạo</kcn:rationale>
            <kcn:geom><gml:Polygon gml:id="g{i}" srsName="urn:ogc:def:crs:EPSG::4326">
             <gml:exterior><gml:LinearRing><gml:posList srsDimension="2">{ring}</gml:posList>
             </gml:LinearRing></gml:exterior></gml:Polygon></kcn:geom>
            </kcn:proposals></wfs:Insert>"""
        )
    return _transaction("".join(members))


def wfs_update_body(fid: int, rationale: str) -> str:
    return _transaction(
        f"""<wfs:Update typeName="kcn:proposals"><wfs:Property>
        <wfs:ValueReference>kcn:rationale</wfs:ValueReference><wfs:Value>{rationale}</wfs:Value>
        </wfs:Property><fes:Filter><fes:ResourceId rid="proposals.{fid}"/></fes:Filter>
        </wfs:Update>"""
    )


def _transaction(operations: str) -> str:
    return f"""<wfs:Transaction service="WFS" version="2.0.0"
      xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"
      xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:kcn="http://kcn-planner.vn/kcn"
      >{operations}</wfs:Transaction>"""


def transaction_summary(body: bytes) -> tuple[dict[str, int], list[int]]:
    """``({"totalInserted": n, …}, [inserted ids])`` of a WFS 2.0 TransactionResponse; raises
    ``ValueError`` when the body is not one."""
    root = ET.fromstring(body)
    if root.tag != f"{{{NS['wfs']}}}TransactionResponse":
        raise ValueError(f"not a TransactionResponse: {root.tag}")
    summary = {
        e.tag.rpartition("}")[2]: int(e.text) for e in root.find("wfs:TransactionSummary", NS)
    }
    ids = [
        int(r.get("rid").rpartition(".")[2])
        for r in root.findall("wfs:InsertResults/wfs:Feature/fes:ResourceId", NS)
    ]
    return summary, ids


@dataclass
class Outcome:
    kind: str  # "wfs-insert", "wfs-update", "api-create", "api-submit"
    user: str
    started: float  # time.monotonic()
    seconds: float
    status: int | None  # None: no HTTP answer (the connection was cut)
    acknowledged: bool = False  # the body says the write was done
    wrong_body: str = ""  # a 2xx whose body does not say what it must
    error: str = ""  # the exception or the body of a non-2xx answer
    retry_after: str | None = None


@dataclass
class WriteLoad:
    """Writer threads, ``per_user`` for each of :data:`USERS`, until ``stop`` is set.

    Each thread cycles: a WFS-T insert of :data:`BATCH` proposals, a WFS-T update of the
    rationale of one proposal it inserted earlier, an API creation, the API submission of the
    proposal it just created.
    """

    base_url: str
    per_user: int = 2
    timeout: float = 30.0
    #: (name, Authorization header) of each writing user.
    users: list[tuple[str, str]] = field(default_factory=lambda: list(FAULT_WRITERS))
    #: The commune the proposals are drafted for, and squares (lon/lat boxes) inside it.
    commune: str = COMMUNE_CODE
    squares: list[tuple[float, float, float, float]] = field(
        default_factory=lambda: list(FAULT_SQUARES)
    )
    #: Makes each thread's session (``requests.Session``-like: ``post`` returning a response).
    session_factory: object = requests.Session
    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    # What was acknowledged, and what was tried without an acknowledgement:
    inserted: dict[str, int] = field(default_factory=dict)  # name -> id
    batches: dict[str, list[str]] = field(default_factory=dict)  # marker -> names (all tried)
    updates: dict[int, list[tuple[str, bool]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # id -> [(rationale, acknowledged)] in order
    created: dict[str, int] = field(default_factory=dict)  # api name -> id
    submitted: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def _next(self, n: int = 1) -> int:
        with self._lock:
            first = self._seq
            self._seq += n
            return first

    def _post(self, session, kind, user, url, **kw) -> tuple[Outcome, requests.Response | None]:
        t0 = time.monotonic()
        try:
            r = session.post(url, timeout=self.timeout, **kw)
        except requests.RequestException as exc:
            o = Outcome(
                kind, user, t0, time.monotonic() - t0, None, error=f"{type(exc).__name__}: {exc}"
            )
            return o, None
        o = Outcome(
            kind,
            user,
            t0,
            time.monotonic() - t0,
            r.status_code,
            retry_after=r.headers.get("Retry-After"),
        )
        if not r.ok:
            o.error = r.text[:1000]
        return o, r

    def _wfs(self, session, kind, user, body) -> tuple[Outcome, dict, list[int]]:
        o, r = self._post(
            session,
            kind,
            user,
            self.base_url + "/ows/wfs",
            data=body.encode(),
            headers={"Content-Type": "text/xml"},
        )
        summary, ids = {}, []
        if r is not None and r.ok:
            try:
                summary, ids = transaction_summary(r.content)
            except (ValueError, ET.ParseError, TypeError, AttributeError) as exc:
                o.wrong_body = f"{exc}: {r.text[:300]}"
        return o, summary, ids

    def _cycle(self, session: requests.Session, user: str, mine: list[int]) -> list[Outcome]:
        out = []
        # 1. WFS-T: BATCH proposals in one transaction.
        k = self._next(BATCH)
        marker = f"T{k:06d}{secrets.token_hex(2)}"
        names = [f"Cụm {marker} {i}" for i in range(BATCH)]
        with self._lock:
            self.batches[marker] = names
        squares = [self.squares[(k + i) % len(self.squares)] for i in range(BATCH)]
        body = wfs_insert_body(names, squares, self.commune)
        o, summary, ids = self._wfs(session, "wfs-insert", user, body)
        if o.status == 200 and not o.wrong_body:
            if summary.get("totalInserted") == BATCH and len(ids) == BATCH:
                o.acknowledged = True
                with self._lock:
                    self.inserted.update(zip(names, ids, strict=True))
                mine.extend(ids)
            else:
                o.wrong_body = f"summary {summary}, ids {ids}"
        out.append(o)
        # 2. WFS-T: update one of this thread's proposals.
        if mine:
            fid = mine[k % len(mine)]
            rationale = f"sửa {k:06d}"
            o, summary, _ = self._wfs(session, "wfs-update", user, wfs_update_body(fid, rationale))
            ok = o.status == 200 and not o.wrong_body and summary.get("totalUpdated") == 1
            if o.status == 200 and not o.wrong_body and not ok:
                o.wrong_body = f"summary {summary}"
            o.acknowledged = ok
            with self._lock:
                self.updates[fid].append((rationale, ok))
            out.append(o)
        # 3. API: create, then submit.
        n = self._next()
        x0, y0, x1, y1 = self.squares[(n + len(self.squares) // 2) % len(self.squares)]
        name = f"Đề xuất A{n:06d} {secrets.token_hex(2)}"
        body = {
            "name": name,
            "kind": "CCN",
            "admin_unit": self.commune,
            "rationale": "kiểm thử sự cố",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
            },
        }
        o, r = self._post(
            session, "api-create", user, self.base_url + "/api/v1/proposals/", json=body
        )
        pid = None
        if o.status == 201:
            try:
                data = r.json()
                pid = int(data["id"])
                if data.get("name") != name or data.get("status") != "draft":
                    raise ValueError(f"name/status {data.get('name')!r}/{data.get('status')!r}")
                o.acknowledged = True
                with self._lock:
                    self.created[name] = pid
            except (ValueError, KeyError, TypeError) as exc:
                o.wrong_body = f"{exc}: {r.text[:300]}"
        out.append(o)
        if pid is not None:
            o, r = self._post(
                session,
                "api-submit",
                user,
                f"{self.base_url}/api/v1/proposals/{pid}/submit/",
                json={},
            )
            if o.status == 200:
                try:
                    data = r.json()
                    if data.get("id") != pid or data.get("status") != "submitted":
                        raise ValueError(f"id/status {data.get('id')}/{data.get('status')!r}")
                    o.acknowledged = True
                    with self._lock:
                        self.submitted.add(pid)
                except (ValueError, KeyError, TypeError) as exc:
                    o.wrong_body = f"{exc}: {r.text[:300]}"
            out.append(o)
        return out

    def _loop(self, user: tuple[str, str]) -> None:
        session = self.session_factory()
        session.headers["Authorization"] = user[1]
        mine: list[int] = []
        while not self.stop.is_set():
            outcomes = self._cycle(session, user[0], mine)
            with self._lock:
                self.outcomes.extend(outcomes)
            if any(o.status is None or o.status >= 500 for o in outcomes):
                time.sleep(0.2)  # a client backing off a little, as Retry-After asks

    def cycles(self, n: int, user: tuple[str, str] | None = None) -> list[Outcome]:
        """``n`` cycles of writes by ``user`` (the first user by default) in this thread."""
        user = user or self.users[0]
        session = self.session_factory()
        session.headers["Authorization"] = user[1]
        mine: list[int] = []
        outcomes = [o for _ in range(n) for o in self._cycle(session, user[0], mine)]
        with self._lock:
            self.outcomes.extend(outcomes)
        return outcomes

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._loop, args=(user,), daemon=True)
            for user in self.users
            for _ in range(self.per_user)
        ]
        for t in threads:
            t.start()
        return threads

    def acknowledged_since(self, since: float) -> int:
        with self._lock:
            return sum(1 for o in self.outcomes if o.acknowledged and o.started >= since)

    def wait_for(self, n: int, since: float, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.acknowledged_since(since) >= n:
                return
            time.sleep(0.1)
        raise AssertionError(f"fewer than {n} writes acknowledged in {timeout} s: {self.summary()}")

    def summary(self) -> str:
        with self._lock:
            c = Counter((o.kind, o.status) for o in self.outcomes)
        return ", ".join(f"{k}:{s}={n}" for (k, s), n in sorted(c.items(), key=str))

    def check_stored(
        self, rows: dict[str, tuple[int, str, str]], created_rows: set[int]
    ) -> list[str]:
        """What is wrong with the stored proposals: ``rows`` maps name → (id, status, rationale)
        for every stored proposal; ``created_rows`` are the ids with a creation row in the edit
        history. An empty list when every acknowledged write is there and nothing is half there."""
        problems = []
        for name, fid in self.inserted.items():
            if name not in rows or rows[name][0] != fid:
                problems.append(f"acknowledged WFS-T insert missing: {name} (id {fid})")
        for marker, names in self.batches.items():
            present = [n for n in names if n in rows]
            if present and len(present) != len(names):
                problems.append(
                    f"half a WFS-T transaction stored: {marker} {len(present)}/{len(names)}"
                )
        by_id = {v[0]: (name, *v[1:]) for name, v in rows.items()}
        for fid, attempts in self.updates.items():
            acked = [i for i, (_, ok) in enumerate(attempts) if ok]
            if not acked or fid not in by_id:
                continue
            # The last acknowledged value, or a later one whose answer was lost (committed, then
            # the connection was cut before the answer).
            allowed = {r for r, _ in attempts[acked[-1] :]}
            if by_id[fid][2] not in allowed:
                problems.append(
                    f"update lost on {fid}: stored {by_id[fid][2]!r}, allowed {allowed}"
                )
        for name, pid in self.created.items():
            if name not in rows:
                problems.append(f"acknowledged API creation missing: {name} (id {pid})")
        for pid in self.submitted:
            if pid not in by_id or by_id[pid][1] != "submitted":
                problems.append(
                    f"acknowledged submission lost: {pid} is {by_id.get(pid, ('', 'missing'))[1]}"
                )
        missing_history = [fid for fid in by_id if fid not in created_rows]
        if missing_history:
            problems.append(
                f"proposals without their creation in the history: {missing_history[:10]}"
            )
        return problems
