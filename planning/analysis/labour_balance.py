"""Labour balance of industrial areas: working-age residents within reach against planned jobs.

For the Department of Home Affairs (Bình Định notice of 11 April 2025, item 3: "báo cáo về tình
hình nguồn lực lao động của tỉnh").

Pure Python over the results of :func:`planning.analysis.labour.labour_catchment` (residents per
ring from the population raster).

* **Working-age residents** of a ring = residents × ``working_age_share``. The default 0.599 is
  Bình Định's labour force aged 15+ (891,238) ÷ its average population (1,487,900) in 2019, both
  from the province's portal (binhdinh.gov.vn/dan-so-lao-dong) [computed]: a labour-force share,
  not a 15–64 age share; use the province's own statistics yearbook figure where there is one.
* **Planned jobs** of an area = planned jobs of its non-revoked secondary projects + its leasable
  land not yet leased × ``jobs_per_ha``. The default 73 jobs/ha is KCN An Nghiệp's 17,837
  workers ÷ 243 ha (DOMAIN.md §3.2, [computed], gross area): an ASSUMPTION for other areas.
* **Gap** of a ring = planned jobs − working-age residents: positive means the ring alone cannot
  staff the area (shortfall), negative a surplus. Rings of different areas overlap; the province
  line counts each resident once (the union of the rings) against all planned jobs.

Examples
--------
>>> summary = {"areas": [{"area_id": "A", "area_name": "KCN A", "workers_needed": 1000,
...                       "rings": [{"distance_m": 5000, "population": 10000, "coverage": 1.0}]}],
...            "union_rings": [{"distance_m": 5000, "population": 10000, "coverage": 1.0}],
...            "total_population": 50000}
>>> b = labour_balance(summary, {"A": 20.0},
...                    criteria=LabourCriteria(working_age_share=0.6, jobs_per_ha=50))
>>> a = b.areas[0]  # 1,000 + 20 ha × 50 = 2,000 jobs; 10,000 × 0.6 = 6,000 working age
>>> a.planned_jobs, a.rings[0].working_age, a.rings[0].gap
(2000, 6000, -4000)
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from planning.analysis.base import Serializable, require_positive, require_share
from planning.analysis.messages import N_

__all__ = [
    "WORKING_AGE_SOURCE",
    "JOBS_PER_HA_SOURCE",
    "LabourCriteria",
    "RingBalance",
    "AreaBalance",
    "LabourBalance",
    "labour_balance",
]

WORKING_AGE_SOURCE = N_(
    "Bình Định 2019: labour force aged 15+ 891,238 ÷ average population 1,487,900 = 59.9 % "
    "(binhdinh.gov.vn/dan-so-lao-dong) [computed]; a labour-force share, used for every province "
    "(ASSUMPTION outside Bình Định)"
)
JOBS_PER_HA_SOURCE = N_(
    "KCN An Nghiệp: 17,837 workers ÷ 243 ha ≈ 73 per ha (DOMAIN.md §3.2) [computed]; "
    "ASSUMPTION for land not yet leased elsewhere"
)


@dataclass(frozen=True, kw_only=True)
class LabourCriteria(Serializable):
    """The working-age share of residents and the jobs per hectare of land not yet leased."""

    working_age_share: float = 0.599
    jobs_per_ha: float = 73.0

    def __post_init__(self) -> None:
        require_share("working_age_share", self.working_age_share)
        require_positive("jobs_per_ha", self.jobs_per_ha, allow_zero=True)


@dataclass(frozen=True, kw_only=True)
class RingBalance(Serializable):
    """Residents, working-age residents and the gap within one distance."""

    distance_m: float
    population: int
    working_age: int
    coverage: float
    gap: int  # planned jobs − working-age residents (> 0: shortfall)
    jobs_share: float | None  # planned jobs ÷ working-age residents


@dataclass(frozen=True, kw_only=True)
class AreaBalance(Serializable):
    """One area: its planned jobs and its rings."""

    area_id: Hashable
    area_name: str
    project_jobs: int
    unleased_ha: float
    land_jobs: int
    planned_jobs: int
    rings: tuple[RingBalance, ...]


@dataclass(frozen=True, kw_only=True)
class LabourBalance(Serializable):
    """The province: totals, the union rings and every area."""

    total_population: int
    total_working_age: int
    planned_jobs: int
    union_rings: tuple[RingBalance, ...]
    areas: tuple[AreaBalance, ...]


def _ring(ring: Mapping, jobs: int, share: float) -> RingBalance:
    pop = int(ring["population"])
    working = int(round(pop * share))
    return RingBalance(
        distance_m=float(ring["distance_m"]),
        population=pop,
        working_age=working,
        coverage=float(ring.get("coverage", 1.0)),
        gap=jobs - working,
        jobs_share=round(jobs / working, 4) if working > 0 else None,
    )


def labour_balance(
    summary: Mapping,
    unleased_ha: Mapping[Hashable, float] | None = None,
    *,
    criteria: LabourCriteria = LabourCriteria(),
) -> LabourBalance:
    """Working-age residents per ring, planned jobs and the gap of each area and of the province.

    Parameters
    ----------
    summary : mapping
        ``LabourSummary.to_dict()`` of :func:`planning.analysis.labour.labour_catchment`
        (``workers_needed`` per area = planned jobs of its projects).
    unleased_ha : mapping area id → hectares, optional
        Leasable industrial land not yet leased (planned land × ``jobs_per_ha`` more jobs).
    criteria : LabourCriteria
    """
    unleased_ha = unleased_ha or {}
    share = criteria.working_age_share
    areas = []
    for a in summary["areas"]:
        free = max(0.0, float(unleased_ha.get(a["area_id"], 0.0) or 0.0))
        land_jobs = int(round(free * criteria.jobs_per_ha))
        jobs = int(a["workers_needed"]) + land_jobs
        areas.append(
            AreaBalance(
                area_id=a["area_id"],
                area_name=a["area_name"],
                project_jobs=int(a["workers_needed"]),
                unleased_ha=round(free, 2),
                land_jobs=land_jobs,
                planned_jobs=jobs,
                rings=tuple(_ring(r, jobs, share) for r in a["rings"]),
            )
        )
    total_jobs = sum(a.planned_jobs for a in areas)
    total_pop = int(summary.get("total_population", 0))
    return LabourBalance(
        total_population=total_pop,
        total_working_age=int(round(total_pop * share)),
        planned_jobs=total_jobs,
        union_rings=tuple(_ring(r, total_jobs, share) for r in summary.get("union_rings", ())),
        areas=tuple(areas),
    )
