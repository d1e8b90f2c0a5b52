"""/ogc/processes and /ogc/jobs: OGC API – Processes – Part 1: Core 1.0 (OGC 18-062r2).

* ``GET processes``, ``GET processes/{id}``: the processes the caller may see
  (:mod:`.descriptions`), JSON or HTML.
* ``POST processes/{id}/execution``: an execute request ``{"inputs", "outputs", "response"}``.
  Quick analyses and echo run synchronously unless ``Prefer: respond-async`` (then 201, the job's
  ``Location`` and ``Preference-Applied: respond-async``); the slow analyses always run
  asynchronously (201). Both are jobs on the task queue the Jobs tab uses: an analysis is run by
  ``analysis_run`` (synchronous) or ``analysis_submit`` (asynchronous), the REST API's and the
  Jobs tab's own service functions, with their checks — a refused input answers 400 with a
  problem document naming it. A synchronous answer carries ``Link: <job>; rel=monitor``.
* ``GET jobs`` (``processID``, ``status``, ``type``, ``datetime``, ``minDuration``,
  ``maxDuration``, ``limit``, ``offset``), ``GET jobs/{id}`` (status, progress from the run's
  progress), ``DELETE jobs/{id}`` (dismiss), ``GET jobs/{id}/results`` in the form the execute
  request chose (``raw``: the one output's value, ``multipart/related`` for several, 204 + ``Link``
  headers for references; ``document``: a JSON results document) and
  ``GET jobs/{id}/results/{output}``, the target of an output sent by reference.

Rights: running an analysis needs what the Jobs tab needs (a signed-in user with a planning role,
or an administrator); echo, any signed-in user. Jobs are seen by whoever started them and by
administrators.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from base64 import b64decode

from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_tasks_db.models import DBTaskResult

from layers import auth
from layers.catalogue import get_layer
from layers.errors import OGCException
from layers.models import ProcessExecution
from layers.ogcapi.processes import descriptions as d
from layers.ogcapi.processes import jobs as j
from layers.ogcapi.processes.echo import (
    ECHO,
    ECHO_ID,
    EchoInputError,
    echo_task,
    echo_validate,
)
from layers.wfs import crs as crs_mod
from layers.wfs import encoders, selectors
from layers.wfs.encoders import FeatureSet
from layers.wfs.schema import feature_type
from planning import access
from planning import models as m
from planning.errors import InvalidParameter, PlanningError, UnknownProvince
from planning.services import analysis_runs
from planning.services.analyses import analysis_spec
from planning.services.worker import task_run_now
from planning.texts import translate

log = logging.getLogger(__name__)

JSON = "application/json"
PROBLEM = "application/problem+json"
HTML = "text/html"
EXC = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/"
NO_SUCH_PROCESS, NO_SUCH_JOB, RESULT_NOT_READY = (
    EXC + "no-such-process",
    EXC + "no-such-job",
    EXC + "result-not-ready",
)
REL_MONITOR = "monitor"
REL_RESULTS = "http://www.opengis.net/def/rel/ogc/1.0/results"
REL_JOB_LIST = "http://www.opengis.net/def/rel/ogc/1.0/job-list"
DEFAULT_LIMIT, MAX_LIMIT = 10, 1000
SYNC_ECHO_WAIT_S = 60


class Problem(Exception):
    """An RFC 7807 problem (``type``, ``title``, ``status``, ``detail`` and extra members)."""

    def __init__(self, status: int, type_: str, detail: str, *, headers=None, **extra):
        super().__init__(detail)
        self.status, self.type, self.detail = status, type_, detail
        self.headers, self.extra = headers or {}, extra


def _invalid(name: str | None, detail: str) -> Problem:
    extra = {"parameter": name} if name else {}
    return Problem(400, "InvalidParameterValue", detail, **extra)


def _no_such_job(job_id: str) -> Problem:
    return Problem(404, NO_SUCH_JOB, _("no job %(id)s") % {"id": repr(job_id)})


# --- formats ------------------------------------------------------------------------------------


def _format(request) -> str:
    f = request.GET.get("f")
    if f is not None:
        if f in ("json", "html"):
            return f
        raise _invalid("f", _("unknown format %(f)s; use f=json or f=html") % {"f": repr(f)})
    accept = request.META.get("HTTP_ACCEPT", "")
    first = accept.split(",")[0].split(";")[0].strip()
    return "html" if first in (HTML, "application/xhtml+xml") else "json"


def _page(title: str, doc: dict, links: list[dict] | None = None) -> HttpResponse:
    items = "".join(
        f"<li><a href='{escape(link['href'])}'>{escape(link.get('title') or link['rel'])}</a>"
        f" ({escape(link['rel'])})</li>"
        for link in links or doc.get("links", [])
    )
    body = escape(json.dumps(doc, indent=2, ensure_ascii=False))
    return HttpResponse(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<ul>{items}</ul><pre>{body}</pre></body></html>",
        content_type="text/html; charset=utf-8",
    )


def _json(doc, status: int = 200, content_type: str = JSON, headers=None) -> HttpResponse:
    body = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=content_type, headers=headers)


def _answer(fmt: str, title: str, doc: dict, **kw) -> HttpResponse:
    return _page(title, doc) if fmt == "html" else _json(doc, **kw)


def _problem_response(exc: Problem, fmt: str, instance: str) -> HttpResponse:
    doc = {
        "type": exc.type,
        "title": exc.type.rsplit("/", 1)[-1],
        "status": exc.status,
        "detail": exc.detail,
        "instance": instance,
        **exc.extra,
    }
    response = (
        _page(doc["title"], doc, [])
        if fmt == "html"
        else _json(doc, status=exc.status, content_type=PROBLEM)
    )
    response.status_code = exc.status
    for k, v in exc.headers.items():
        response[k] = v
    return response


def _endpoint(*methods: str):
    """Identify the caller, check the method (and a session's CSRF token on writes), answer
    errors as problem documents (JSON, or HTML when asked)."""

    def decorate(view):
        @csrf_exempt
        def wrapper(request, **kwargs):
            response = answer(request, **kwargs)
            # What a caller sees depends on who asks, and jobs change while polled: no shared
            # or stale copies (QGIS keeps an HTTP disk cache).
            patch_vary_headers(response, ("Authorization", "Cookie"))
            patch_cache_control(response, private=True, no_cache=True)
            return response

        def answer(request, **kwargs):
            fmt = "json"
            try:
                allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
                if request.method not in allowed:
                    raise Problem(
                        405,
                        "MethodNotAllowed",
                        _("%(method)s is not supported here") % {"method": request.method},
                        headers={"Allow": ", ".join(sorted(allowed))},
                    )
                fmt = _format(request)
                caller = auth.identify(request)
                if request.method not in ("GET", "HEAD") and caller.is_authenticated:
                    auth.require_writer(request, caller)  # a session needs its CSRF token
                return view(request, caller.user, fmt, **kwargs)
            except Problem as exc:
                return _problem_response(exc, fmt, request.path)
            except OGCException as exc:
                status = getattr(exc, "http_status", 400) or 400
                headers = {}
                if status == 401:
                    headers["WWW-Authenticate"] = 'Basic realm="KCN Planner"'
                problem = Problem(status, type(exc).__name__, str(exc), headers=headers)
                return _problem_response(problem, fmt, request.path)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


def _base(request) -> str:
    return request.build_absolute_uri("/ogc")


def _int(request, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise _invalid(
            name, _("%(name)s must be an integer >= %(min)s") % {"name": name, "min": minimum}
        )
    return min(value, maximum) if maximum is not None else value


def _list_param(request, name: str) -> list[str] | None:
    values = [v for raw in request.GET.getlist(name) for v in raw.split(",") if v.strip()]
    return [v.strip() for v in values] if values else None


def _page_links(request, url: str, fmt: str, offset: int, limit: int, more: bool) -> list[dict]:
    from urllib.parse import urlencode

    params = {k: v for k, v in request.GET.items() if k not in ("f", "limit", "offset")}

    def link(rel: str, off: int, f: str) -> dict:
        q = urlencode({**params, "f": f, "limit": limit, "offset": off})
        return {"rel": rel, "type": HTML if f == "html" else JSON, "href": f"{url}?{q}"}

    links = [
        link("self", offset, fmt),
        link("alternate", offset, "json" if fmt == "html" else "html"),
    ]
    if more:
        links.append(link("next", offset + limit, fmt))
    if offset:
        links.append(link("prev", max(0, offset - limit), fmt))
    return links


# --- processes ----------------------------------------------------------------------------------


def _process(process_id: str, user) -> d.Process:
    process = d.process_for(process_id, user)
    if process is None:
        raise Problem(404, NO_SUCH_PROCESS, _("no process %(id)s") % {"id": repr(process_id)})
    return process


@_endpoint("GET")
def processes(request, user, fmt):
    base = _base(request)
    limit = _int(request, "limit", 100, 1, MAX_LIMIT)
    offset = _int(request, "offset", 0, 0)
    every = d.processes_for(user)
    chosen = every[offset : offset + limit]
    doc = {
        "processes": [d.summary(p, base) for p in chosen],
        "links": _page_links(
            request, f"{base}/processes", fmt, offset, limit, offset + limit < len(every)
        ),
    }
    return _answer(fmt, _("Processes"), doc)


@_endpoint("GET")
def process(request, user, fmt, process_id):
    p = _process(process_id, user)
    return _answer(fmt, p.title, d.description(p, _base(request)))


# --- execution ----------------------------------------------------------------------------------


def _value(name: str, given):
    """An input's value: inline, or a qualified value ``{"value": …, "mediaType": …}``; values
    by reference (``{"href": …}``) are not fetched."""
    if isinstance(given, dict) and "href" in given and "value" not in given:
        raise _invalid(
            name,
            _("Input '%(name)s': values by reference (href) are not accepted; give the value")
            % {"name": name},
        )
    if (
        isinstance(given, dict)
        and "value" in given
        and set(given)
        <= {
            "value",
            "mediaType",
            "encoding",
            "schema",
        }
    ):
        return given["value"]
    return given


def _execute_request(request, p: d.Process) -> tuple[dict, dict, str]:
    """``(inputs, outputs, response)`` of the execute request in the body, checked."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _invalid(None, _("the execute request must be a JSON object")) from None
    if not isinstance(body, dict):
        raise _invalid(None, _("the execute request must be a JSON object"))
    inputs = body.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise _invalid("inputs", _("'inputs' must be an object {input id: value}"))
    values = {}
    for name, given in inputs.items():
        if isinstance(given, list):
            values[name] = [_value(name, g) for g in given]
        else:
            values[name] = _value(name, given)
    outputs = body.get("outputs") or {}
    if not isinstance(outputs, dict):
        raise _invalid("outputs", _("'outputs' must be an object {output id: options}"))
    chosen = {}
    for name, opts in outputs.items():
        if p.output(name) is None:
            raise _invalid(
                name,
                _("Output '%(name)s': unknown output; the outputs are %(names)s")
                % {"name": name, "names": ", ".join(p.output_ids)},
            )
        opts = opts if isinstance(opts, dict) else {}
        mode = opts.get("transmissionMode", d.VALUE)
        if mode not in (d.VALUE, d.REFERENCE):
            raise _invalid(name, _("transmissionMode must be value or reference"))
        chosen[name] = {"transmissionMode": mode}
    response = body.get("response", "raw")
    if response not in ("raw", "document"):
        raise _invalid("response", _("response must be raw or document"))
    return values, chosen, response


def _prefers_async(request) -> bool:
    prefer = request.META.get("HTTP_PREFER", "")
    return any(t.strip().lower() == "respond-async" for t in prefer.replace(";", ",").split(","))


def _sync_echo(inputs: dict, user) -> DBTaskResult:
    """Run an echo task now, here (if a worker took it first, wait for its answer)."""
    result = echo_task.enqueue(inputs, user.pk)
    if not task_run_now(result.id):
        deadline = time.monotonic() + SYNC_ECHO_WAIT_S
        while time.monotonic() < deadline:
            row = DBTaskResult.objects.get(pk=result.id)
            if row.status in ("SUCCESSFUL", "FAILED"):
                break
            time.sleep(0.1)
    return DBTaskResult.objects.get(pk=result.id)


@_endpoint("POST")
def execution(request, user, fmt, process_id):
    p = _process(process_id, user)
    inputs, outputs, response = _execute_request(request, p)
    asked_async = _prefers_async(request)
    run_async = d.ASYNC in p.job_control and (d.SYNC not in p.job_control or asked_async)
    if not getattr(user, "is_authenticated", False):
        raise Problem(
            401,
            "AuthenticationRequired",
            _("executing a process needs a signed-in user"),
            headers={"WWW-Authenticate": 'Basic realm="KCN Planner"'},
        )
    if p.id == ECHO_ID:
        try:
            echo_validate(inputs)
        except EchoInputError as exc:
            raise _invalid(exc.name, f"Input '{exc.name}': {exc}") from None
        if run_async:
            job_id = f"{j.ECHO_PREFIX}{echo_task.enqueue(inputs, user.pk).id}"
        else:
            job_id = f"{j.ECHO_PREFIX}{_sync_echo(inputs, user).pk}"
    else:
        if not d.can_run_analyses(user):
            raise Problem(
                403,
                "Forbidden",
                _("running analyses needs a signed-in user with a planning role (Membership)"),
            )
        run_service = analysis_runs.analysis_submit if run_async else analysis_runs.analysis_run
        try:
            run = run_service(p.id, inputs, user=user)
        except (InvalidParameter, UnknownProvince) as exc:
            name = (getattr(exc, "details", None) or {}).get("parameter") or (
                "province" if isinstance(exc, UnknownProvince) else None
            )
            raise Problem(400, "InvalidParameterValue", str(exc), parameter=name) from None
        except PlanningError as exc:
            raise Problem(exc.http_status, type(exc).__name__, str(exc)) from None
        except Exception as exc:  # the run is stored failed (analysis_runs._execute)
            log.exception("process %s failed", p.id)
            raise Problem(500, type(exc).__name__, str(exc)) from None
        job_id = str(run.pk)
    ProcessExecution.objects.create(
        job_id=job_id,
        process_id=p.id,
        response=response,
        outputs=[{"id": k, **v} for k, v in outputs.items()],
    )
    job_url = f"{_base(request)}/jobs/{job_id}"
    job = j.job_get(job_id, user)
    if run_async:
        headers = {"Location": job_url}
        if asked_async:
            headers["Preference-Applied"] = "respond-async"
        return _json(_status_doc(request, job), status=201, headers=headers)
    out = _results(request, job, p)
    out["Link"] = ", ".join(
        filter(None, [out.get("Link"), f'<{job_url}>; rel="{REL_MONITOR}"; type="{JSON}"'])
    )
    return out


# --- jobs ---------------------------------------------------------------------------------------


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat().replace("+00:00", "Z") if t else None


def _status_doc(request, job: j.JobView) -> dict:
    base = _base(request)
    url = f"{base}/jobs/{job.id}"
    links = [
        {"rel": "self", "type": JSON, "href": f"{url}?f=json", "title": _("Job status")},
        {"rel": "alternate", "type": HTML, "href": f"{url}?f=html", "title": _("Job status")},
        {"rel": "up", "type": JSON, "href": f"{base}/jobs", "title": _("Jobs")},
        {"rel": "process", "type": JSON, "href": f"{base}/processes/{job.process_id}"},
    ]
    if job.status == j.SUCCESSFUL:
        links.append({"rel": REL_RESULTS, "type": JSON, "href": f"{url}/results"})
        layer = d.FEATURE_OUTPUTS.get(job.process_id)
        if layer and job.run is not None:
            links.append(
                {
                    "rel": "related",
                    "type": JSON,
                    "href": f"{base}/collections/{layer[1]}",
                    "title": _("Published layer (the latest run's features)"),
                }
            )
    if job.run is not None:
        links.append(
            {
                "rel": "alternate",
                "type": JSON,
                "href": request.build_absolute_uri(f"/api/v1/analyses/runs/{job.run.pk}/"),
                "title": _("The run in the REST API (the Jobs tab)"),
            }
        )
    doc = {
        "processID": job.process_id,
        "type": "process",
        "jobID": job.id,
        "status": job.status,
        "message": job.message or "",
        "created": _iso(job.created),
        "started": _iso(job.started),
        "finished": _iso(job.finished),
        "updated": _iso(job.updated),
        "progress": job.progress,
        "links": links,
    }
    return {k: v for k, v in doc.items() if v is not None}


def _interval(value: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    def moment(text: str) -> dt.datetime | None:
        if text in ("", ".."):
            return None
        t = parse_datetime(text)
        if t is None:
            raise _invalid("datetime", _("not a date-time or interval: %(v)s") % {"v": repr(value)})
        return t if t.tzinfo else t.replace(tzinfo=dt.UTC)

    if "/" in value:
        start, _sep, end = value.partition("/")
        return moment(start), moment(end)
    t = moment(value)
    return t, t


def _seconds(request, name: str) -> float | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise _invalid(name, _("%(name)s must be a number of seconds") % {"name": name}) from None


@_endpoint("GET")
def jobs(request, user, fmt):
    base = _base(request)
    limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(request, "offset", 0, 0)
    statuses = _list_param(request, "status")
    for s in statuses or ():
        if s not in j.STATUSES:
            raise _invalid(
                "status",
                _("unknown status %(s)s; accepted: %(all)s")
                % {"s": repr(s), "all": ", ".join(j.STATUSES)},
            )
    types = _list_param(request, "type")
    low, high = _seconds(request, "minDuration"), _seconds(request, "maxDuration")
    durations = low is not None or high is not None
    since = until = None
    if "datetime" in request.GET:
        since, until = _interval(request.GET["datetime"])
    views = (
        []
        if types is not None and "process" not in types
        else j.jobs_for(
            user,
            process_ids=_list_param(request, "processID"),
            statuses=statuses,
            since=since,
            until=until,
            # The page and one more (is there a next page?); durations are filtered here.
            cap=None if durations else offset + limit + 1,
        )
    )
    if durations:
        views = [
            v
            for v in views
            if v.duration_s is not None
            and (low is None or v.duration_s >= low)
            and (high is None or v.duration_s <= high)
        ]
    chosen = views[offset : offset + limit]
    doc = {
        "jobs": [_status_doc(request, v) for v in chosen],
        "links": _page_links(
            request, f"{base}/jobs", fmt, offset, limit, offset + limit < len(views)
        ),
    }
    return _answer(fmt, _("Jobs"), doc)


@_endpoint("GET", "DELETE")
def job(request, user, fmt, job_id):
    view = j.job_get(job_id, user)
    if view is None:
        raise _no_such_job(job_id)
    if request.method == "DELETE":
        try:
            j.job_dismiss(view)
        except j.JobRunning:
            raise Problem(
                409,
                "JobRunning",
                _(
                    "job %(id)s is running; a job cannot be stopped half-way: dismiss it "
                    "when it has ended"
                )
                % {"id": job_id},
            ) from None
        except j.JobPublished:
            raise Problem(
                409,
                "JobPublished",
                _(
                    "job %(id)s's results are the published layer of its province; they stay "
                    "until a newer run replaces them, then the job can be dismissed"
                )
                % {"id": job_id},
            ) from None
        ProcessExecution.objects.filter(job_id=job_id).delete()
        view.status, view.message = j.DISMISSED, _("dismissed")
        doc = _status_doc(request, view)
        doc["links"] = [link for link in doc["links"] if link["rel"] in ("up", "process")]
        return _json(doc)
    return _answer(fmt, _("Job %(id)s") % {"id": job_id}, _status_doc(request, view))


# --- results ------------------------------------------------------------------------------------


def _features(layer: str, run, user) -> bytes:
    """The rows ``run`` published in catalogue layer ``layer``, as the OGC items are written."""
    ftype = feature_type(layer)
    qs = access.readable_rows(user, ftype.spec, ftype.model._default_manager.filter(run=run))
    qs = qs.order_by("pk")
    page = selectors.fetch_page(
        qs, list(ftype.props), geometry=ftype.geometry, start=0, count=qs.count()
    )
    geoms = selectors.project(page.geoms, crs_mod.STORAGE_XY, force_xy=True)
    fs = FeatureSet(ftype, list(ftype.props), True, page.pks, page.rows, geoms)
    return encoders.geojson_feature_collection(
        [fs], srs=crs_mod.STORAGE_XY, number_matched=len(page.pks)
    )


def _area_features(run, key: str, user) -> dict:
    """The run's rows of ``results["areas"]`` (texts in the request's language) as GeoJSON
    features on the boundaries of the areas the caller may read, in the results' order."""
    rows = translate(run.results).get("areas") or []
    spec = get_layer("industrial_areas")
    areas = access.readable_rows(user, spec, m.IndustrialArea.objects.all())
    shapes = dict(areas.filter(code__in=[r.get(key) for r in rows]).values_list("code", "boundary"))
    features = [
        {
            "type": "Feature",
            "id": row[key],
            "geometry": json.loads(shapes[row[key]].json),
            "properties": row,
        }
        for row in rows
        if row.get(key) in shapes
    ]
    return {"type": "FeatureCollection", "features": features, "numberMatched": len(features)}


def _job_values(job: j.JobView, p: d.Process, user) -> dict:
    """The job's outputs: ``{output id: callable returning the value}``."""
    if job.task is not None:
        values = job.task.return_value or {}
        return {k: (lambda v=v: v) for k, v in values.items()}
    out = {"result": lambda: translate(job.run.results)}
    if p.id in d.FEATURE_OUTPUTS:
        output_id, layer = d.FEATURE_OUTPUTS[p.id]
        out[output_id] = lambda: json.loads(_features(layer, job.run, user))
    if p.id in d.AREA_OUTPUTS:
        out["areas"] = lambda: _area_features(job.run, d.AREA_OUTPUTS[p.id], user)
    return out


def _failure(job: j.JobView) -> Problem:
    kind = (job.error.split(":", 1)[0] or "JobFailed").strip().rsplit(".", 1)[-1]
    status = {"InvalidParameter": 400, "UnknownProvince": 400, "MissingInputs": 409}.get(kind, 500)
    kind = "InvalidParameterValue" if status == 400 else kind
    if " " in kind or not kind:
        kind = "JobFailed"
    return Problem(status, kind, job.error or _("the job failed"))


def _ready(request, job_id: str, user) -> tuple[j.JobView, d.Process]:
    view = j.job_get(job_id, user)
    if view is None:
        raise _no_such_job(job_id)
    if view.status in (j.ACCEPTED, j.RUNNING):
        raise Problem(
            404,
            RESULT_NOT_READY,
            _("job %(id)s has not finished (%(s)s)") % {"id": job_id, "s": view.status},
        )
    if view.status == j.FAILED:
        raise _failure(view)
    return view, _job_process(view)


def _job_process(view: j.JobView) -> d.Process:
    """The process of a job its owner sees (whatever the layers they may read today)."""
    return (
        ECHO if view.process_id == ECHO_ID else d.analysis_process(analysis_spec(view.process_id))
    )


def _raw_body(p: d.Process, output_id: str, value) -> tuple[bytes, str]:
    media = p.output(output_id).media_type
    if media == "image/png" and isinstance(value, str):
        return b64decode(value), media
    if media == "text/plain" and isinstance(value, str):
        return value.encode(), "text/plain; charset=utf-8"
    return json.dumps(value, ensure_ascii=False).encode(), media


def _document_value(p: d.Process, output_id: str, value):
    media = p.output(output_id).media_type
    if media == "image/png":
        return {"value": value, "mediaType": media, "encoding": "base64"}
    if isinstance(value, dict):
        return {"value": value, "mediaType": media}
    return value


def _results(request, job: j.JobView, p: d.Process) -> HttpResponse:
    """The job's results in the form its execute request chose (default: raw, every output)."""
    execution = ProcessExecution.objects.filter(job_id=job.id).first()
    response = execution.response if execution else "document"
    requested = {o["id"]: o for o in (execution.outputs if execution else [])}
    values = _job_values(job, p, request.user)
    chosen = [o for o in (requested or [o.id for o in p.outputs]) if o in values]
    mode = {o: requested.get(o, {}).get("transmissionMode", d.VALUE) for o in chosen}
    url = f"{_base(request)}/jobs/{job.id}/results"

    def link(o: str) -> str:
        return f'<{url}/{o}>; rel="{REL_RESULTS}"; type="{p.output(o).media_type}"; title="{o}"'

    if response == "document":
        doc = {
            o: (
                {"href": f"{url}/{o}", "type": p.output(o).media_type}
                if mode[o] == d.REFERENCE
                else _document_value(p, o, values[o]())
            )
            for o in chosen
        }
        return _json(doc)
    if all(t == d.REFERENCE for t in mode.values()) and chosen:
        out = HttpResponse(status=204)
        out["Link"] = ", ".join(link(o) for o in chosen)
        return out
    if len(chosen) == 1:
        body, media = _raw_body(p, chosen[0], values[chosen[0]]())
        return HttpResponse(body, content_type=media)
    boundary = f"kcn-{uuid.uuid4().hex}"
    parts = []
    for o in chosen:
        if mode[o] == d.REFERENCE:
            head = f"Content-ID: <{o}>\r\nContent-Location: {url}/{o}\r\n"
            parts.append(head.encode() + b"\r\n")
        else:
            body, media = _raw_body(p, o, values[o]())
            head = f"Content-ID: <{o}>\r\nContent-Type: {media}\r\n"
            parts.append(head.encode() + b"\r\n" + body)
    sep = f"--{boundary}\r\n".encode()
    payload = b"".join(sep + part + b"\r\n" for part in parts) + f"--{boundary}--\r\n".encode()
    return HttpResponse(
        payload, content_type=f'multipart/related; boundary="{boundary}"; type="{JSON}"'
    )


@_endpoint("GET")
def results(request, user, fmt, job_id):
    view, p = _ready(request, job_id, user)
    return _results(request, view, p)


@_endpoint("GET")
def result(request, user, fmt, job_id, output_id):
    view, p = _ready(request, job_id, user)
    values = _job_values(view, p, user)
    if output_id not in values:
        raise Problem(
            404,
            EXC + "no-such-output",
            _("job %(id)s has no output %(o)s") % {"id": job_id, "o": repr(output_id)},
        )
    body, media = _raw_body(p, output_id, values[output_id]())
    return HttpResponse(body, content_type=media)
