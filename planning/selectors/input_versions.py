"""What a run read: table versions, dataset loads and raster checksums. The selectors' raw SQL
lives here (one statement for the versions of several tables; the PostgreSQL fingerprint of a
table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connections, router
from django.utils import timezone

from planning import models as m


# --------------------------------------------------------------------------------------------
# Versions of the inputs
# --------------------------------------------------------------------------------------------
def _iso(value):
    return value.isoformat() if value is not None else None


def table_version(model) -> dict:
    """Row count, highest id and the last recorded change of a table."""
    return table_versions([model])[model._meta.label]


def table_versions(models: Iterable, *, counts: dict | None = None) -> dict[str, dict]:
    """:func:`table_version` of several tables in one SQL statement (one round trip).
    ``counts``: row counts already known (model label -> count, read in the same run), not
    counted again."""
    counts = counts or {}
    models = list(models)
    if not models:
        return {}
    # Where the inputs are read (a read replica during an analysis: planning.reads).
    connection = connections[router.db_for_read(models[0])]
    q = connection.ops.quote_name
    parts = []
    for model in models:
        table, pk = q(model._meta.db_table), q(model._meta.pk.column)
        changes = []
        history = getattr(model, "history", None)
        if history is not None:
            changes.append(
                f"(SELECT MAX({q('history_date')}) FROM {q(history.model._meta.db_table)})"
            )
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            changes.append(f"(SELECT MAX({q('updated_at')}) FROM {table})")
        # A typed NULL: PostgreSQL resolves UNION column types from the first branch.
        changes += [
            "CAST(NULL AS TIMESTAMP WITH TIME ZONE)"
            if connection.vendor == "postgresql"
            else "NULL"
        ] * (2 - len(changes))
        known = counts.get(model._meta.label)
        count = f"(SELECT COUNT(*) FROM {table})" if known is None else str(int(known))
        parts.append(f"SELECT {count}, (SELECT MAX({pk}) FROM {table}), {changes[0]}, {changes[1]}")
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts))
        rows = cur.fetchall()
    out = {}
    for model, (count, max_id, change_a, change_b) in zip(models, rows, strict=False):
        changes = [_as_datetime(c) for c in (change_a, change_b) if c is not None]
        out[model._meta.label] = {
            "count": count,
            "max_id": max_id,
            "last_change": _iso(max(changes)) if changes else None,
        }
    return out


def _as_datetime(value):
    """SQLite returns timestamps as text; PostgreSQL as aware datetimes."""

    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def input_versions(
    models: Iterable = (), *, rasters: Iterable[m.RasterLayer] = (), counts: dict | None = None
) -> dict:
    """What a run read: the latest dataset loads, table versions and raster checksums.
    ``counts``: row counts the run already read (see :func:`table_versions`)."""
    loads = {}
    for load in m.DatasetLoad.objects.order_by("name", "-loaded_at"):
        loads.setdefault(load.name, {"checksum": load.checksum, "loaded_at": _iso(load.loaded_at)})
    return {
        "dataset_loads": loads,
        "tables": table_versions(models, counts=counts),
        "rasters": {
            r.name: {
                "checksum": r.checksum,
                "path": r.path,
                "srid": r.srid,
                "resolution_m": r.resolution_m,
            }
            for r in rasters
        },
    }


def table_fingerprint(model) -> tuple | None:
    """A key that changes whenever ``model``'s table changes, or None where there is none.

    On PostgreSQL: the database (host, port, name), the row count and a digest of where each
    row version lies and which transaction wrote it (``ctid``, ``xmin``) — any insert, update
    (``QuerySet.update()``, raw SQL and updates inside the current transaction included, since
    each writes a new row version elsewhere) or delete changes it. Elsewhere None.
    """
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), md5(coalesce(string_agg(ctid::text || xmin::text, ',' "
            f"ORDER BY ctid), '')) FROM {table}"
        )
        count, digest = cur.fetchone()
    s = connections["default"].settings_dict  # the database's identity (a replica holds the same)
    return (s.get("HOST"), s.get("PORT"), s.get("NAME"), count, digest)
