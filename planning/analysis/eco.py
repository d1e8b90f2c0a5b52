"""Eco-industrial-park readiness of an area: which criteria are met and what is missing.

Pure analysis on :class:`~planning.analysis.records.AreaRecord`. Both provincial notices ask that
new parks and clusters follow the eco-park model and old ones convert (Bình Định, 11 April 2025).

Criteria (:class:`~planning.analysis.eco.EcoCriteria`; DOMAIN.md §1.3, §3.3)
-----------------------------------------------------------------------------
===========================  =====================================================  ==============
key                          test                                                   status
===========================  =====================================================  ==============
``green_shared_land_share``  (green + shared-infrastructure land) ÷ planned ≥ 25 %   NOT CONFIRMED
``isolation_strip``          green isolation strip ≥ 10 m                           QCVN 01:2019
``central_wwtp``             central wastewater treatment plant operating           Decree 35 Art 37
``symbiosis_link``           ≥ 1 industrial-symbiosis link recorded                 NOT CONFIRMED
``basic_services``           power, water, wastewater collection ≥ 100 % built      Decree 35 Art 37
``recp_awareness`` …         enterprise shares (RECP ≥ 90 % aware, ≥ 20 % applying,  NOT CONFIRMED
                             ≥ 10 % in symbiosis) — only when the data is recorded
===========================  =====================================================  ==============

``met`` is ``None`` when the area has no data for a criterion; such a criterion is listed as
missing data. ``ready`` means every listed criterion is met.

Examples
--------
>>> from planning.analysis.records import AreaRecord
>>> a = AreaRecord(id=7, kind="KCN", name="Phú Tài", planned_ha=100, green_ha=12,
...                shared_infra_ha=8, isolation_strip_m=10, wwtp_operating=True,
...                symbiosis_links=0, power_done_pct=100, water_done_pct=100,
...                wastewater_done_pct=80)
>>> r = eco_readiness(a)
>>> [(c.key, c.met) for c in r.criteria]
[('green_shared_land_share', False), ('isolation_strip', True), ('central_wwtp', True), ('symbiosis_link', False), ('basic_services', False)]
>>> print(r.summary_vi)
Phú Tài: đạt 2/5 tiêu chí KCN sinh thái. Còn thiếu: thiếu 5,0 ha đất cây xanh, giao thông, hạ tầng dùng chung (20,0 % < 25 %); chưa có liên kết cộng sinh công nghiệp nào (cần ≥ 1); thu gom nước thải mới hoàn thành 80 %.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from planning.analysis import citations
from planning.analysis._text import fmt_vi
from planning.analysis.base import Serializable, require_positive, require_share
from planning.analysis.errors import CriteriaError
from planning.analysis.records import AreaRecord

__all__ = [
    "eco_readiness",
    "eco_readiness_all",
    "EcoCriteria",
    "EcoCriterionResult",
    "EcoReadiness",
]


@dataclass(frozen=True, kw_only=True)
class EcoCriteria(Serializable):
    """Eco-industrial-park readiness thresholds (DOMAIN §1.3, §3.3).

    ``min_green_shared_share`` 25 % and the enterprise shares are NOT CONFIRMED for Decree 35
    (they are the Decree 82/2018 wording) — parameters. The 10 m isolation strip is QCVN 01:2019.
    """

    min_green_shared_share: float = 0.25
    min_isolation_strip_m: float = 10.0
    require_wwtp: bool = True
    min_symbiosis_links: int = 1
    min_service_pct: float = 100.0
    services: tuple[str, ...] = ("power", "water", "wastewater")
    min_recp_aware_share: float = 0.90
    min_recp_applying_share: float = 0.20
    min_symbiosis_participation_share: float = 0.10

    def __post_init__(self) -> None:
        for name in (
            "min_green_shared_share",
            "min_recp_aware_share",
            "min_recp_applying_share",
            "min_symbiosis_participation_share",
        ):
            require_share(name, getattr(self, name))
        require_positive("min_isolation_strip_m", self.min_isolation_strip_m, allow_zero=True)
        if not 0 <= self.min_service_pct <= 100:
            raise CriteriaError("min_service_pct must be in [0, 100]")
        if set(self.services) - {"power", "water", "wastewater", "roads"}:
            raise CriteriaError("services must be among power, water, wastewater, roads")


@dataclass(frozen=True, kw_only=True)
class EcoCriterionResult(Serializable):
    key: str
    label_vi: str
    label_en: str
    met: bool | None  # None: no data
    measured: float | None
    required: float | None
    missing_vi: str
    missing_en: str
    citation: str


@dataclass(frozen=True, kw_only=True)
class EcoReadiness(Serializable):
    area_id: Hashable
    area_name: str
    criteria: tuple[EcoCriterionResult, ...]
    n_met: int
    n_unknown: int
    n_total: int
    ready: bool
    summary_vi: str
    summary_en: str


_SERVICE_VI = {
    "power": "cấp điện",
    "water": "cấp nước",
    "wastewater": "thu gom nước thải",
    "roads": "giao thông nội bộ",
}
_ENTERPRISE = (
    # key, share key in AreaRecord.enterprise_shares, criteria attribute, label vi, label en
    (
        "recp_awareness",
        "recp_aware_share",
        "min_recp_aware_share",
        "Doanh nghiệp biết về sử dụng hiệu quả tài nguyên, sản xuất sạch hơn (RECP)",
        "Enterprises aware of resource efficiency and cleaner production (RECP)",
    ),
    (
        "recp_application",
        "recp_applying_share",
        "min_recp_applying_share",
        "Doanh nghiệp áp dụng giải pháp RECP",
        "Enterprises applying RECP measures",
    ),
    (
        "symbiosis_participation",
        "symbiosis_participation_share",
        "min_symbiosis_participation_share",
        "Doanh nghiệp tham gia cộng sinh công nghiệp",
        "Enterprises taking part in industrial symbiosis",
    ),
)


def _pct(x: float) -> str:
    return f"{fmt_vi(x * 100, 1)} %"


def eco_readiness(area: AreaRecord, *, criteria: EcoCriteria = EcoCriteria()) -> EcoReadiness:
    """Eco-industrial readiness of one area (criteria in the module docstring).

    Parameters
    ----------
    area : AreaRecord
        Land budget (ha), isolation strip (m), WWTP, symbiosis links, infrastructure completion
        (%), optional enterprise shares (0–1).
    criteria : EcoCriteria

    Returns
    -------
    EcoReadiness
        Each criterion with ``met`` (True/False/None), measured and required values, and what is
        missing in Vietnamese and English.
    """
    c = criteria
    results: list[EcoCriterionResult] = []

    # 1. green + shared infrastructure land share
    if area.planned_ha > 0:
        share = (area.green_ha + area.shared_infra_ha) / area.planned_ha
        met = share >= c.min_green_shared_share
        lack = max(
            0.0, c.min_green_shared_share * area.planned_ha - area.green_ha - area.shared_infra_ha
        )
        miss_vi = (
            ""
            if met
            else (
                f"thiếu {fmt_vi(lack, 1)} ha đất cây xanh, giao thông, hạ tầng dùng chung "
                f"({_pct(share)} < {fmt_vi(c.min_green_shared_share * 100)} %)"
            )
        )
        miss_en = (
            ""
            if met
            else (
                f"{lack:,.1f} ha more green, transport and shared-infrastructure land needed "
                f"({share * 100:.1f} % < {c.min_green_shared_share * 100:g} %)"
            )
        )
    else:
        share, met = None, None
        miss_vi, miss_en = "chưa có diện tích quy hoạch", "no planned area recorded"
    results.append(
        EcoCriterionResult(
            key="green_shared_land_share",
            label_vi="Tỷ lệ đất cây xanh, giao thông, hạ tầng dùng chung",
            label_en="Green, transport and shared-infrastructure land share",
            met=met,
            measured=share,
            required=c.min_green_shared_share,
            missing_vi=miss_vi,
            missing_en=miss_en,
            citation=citations.ECO_LAND_SHARE,
        )
    )

    # 2. isolation strip
    strip = area.isolation_strip_m
    if strip is None:
        met, miss_vi, miss_en = (
            None,
            "chưa có số liệu dải cây xanh cách ly",
            "isolation strip width not recorded",
        )
    else:
        met = strip >= c.min_isolation_strip_m
        miss_vi = (
            ""
            if met
            else (
                f"dải cây xanh cách ly rộng {fmt_vi(strip, 1)} m "
                f"< {fmt_vi(c.min_isolation_strip_m)} m"
            )
        )
        miss_en = "" if met else f"isolation strip {strip:g} m < {c.min_isolation_strip_m:g} m"
    results.append(
        EcoCriterionResult(
            key="isolation_strip",
            label_vi="Dải cây xanh cách ly",
            label_en="Green isolation strip",
            met=met,
            measured=strip,
            required=c.min_isolation_strip_m,
            missing_vi=miss_vi,
            missing_en=miss_en,
            citation=citations.ISOLATION_STRIP,
        )
    )

    # 3. central WWTP
    if c.require_wwtp:
        met = bool(area.wwtp_operating)
        results.append(
            EcoCriterionResult(
                key="central_wwtp",
                label_vi="Nhà máy xử lý nước thải tập trung hoạt động",
                label_en="Central wastewater treatment plant operating",
                met=met,
                measured=float(met),
                required=1.0,
                missing_vi="" if met else "chưa có nhà máy xử lý nước thải tập trung hoạt động",
                missing_en="" if met else "no central wastewater treatment plant in operation",
                citation=citations.ECO_INVESTOR,
            )
        )

    # 4. symbiosis links
    links = area.symbiosis_links
    if links is None:
        met, miss_vi, miss_en = (
            None,
            "chưa có số liệu liên kết cộng sinh",
            "symbiosis links not recorded",
        )
    else:
        met = links >= c.min_symbiosis_links
        miss_vi = (
            ""
            if met
            else (
                f"chưa có liên kết cộng sinh công nghiệp nào (cần ≥ {c.min_symbiosis_links})"
                if links == 0
                else f"mới có {links} liên kết cộng sinh (cần ≥ {c.min_symbiosis_links})"
            )
        )
        miss_en = (
            "" if met else f"{links} industrial-symbiosis links (≥ {c.min_symbiosis_links} needed)"
        )
    results.append(
        EcoCriterionResult(
            key="symbiosis_link",
            label_vi="Liên kết cộng sinh công nghiệp",
            label_en="Industrial-symbiosis link",
            met=met,
            measured=None if links is None else float(links),
            required=float(c.min_symbiosis_links),
            missing_vi=miss_vi,
            missing_en=miss_en,
            citation=citations.ECO_SYMBIOSIS,
        )
    )

    # 5. basic services
    values = {s: getattr(area, f"{s}_done_pct") for s in c.services}
    known = {s: v for s, v in values.items() if v is not None}
    short = {s: v for s, v in known.items() if v < c.min_service_pct}
    unknown = [s for s, v in values.items() if v is None]
    if short:
        met = False
    elif unknown:
        met = None
    else:
        met = True
    parts_vi = [f"{_SERVICE_VI[s]} mới hoàn thành {fmt_vi(v)} %" for s, v in short.items()]
    parts_vi += [f"chưa có số liệu {_SERVICE_VI[s]}" for s in unknown]
    parts_en = [f"{s} {v:g} % built" for s, v in short.items()] + [
        f"{s} not recorded" for s in unknown
    ]
    results.append(
        EcoCriterionResult(
            key="basic_services",
            label_vi="Dịch vụ cơ bản (điện, nước, thu gom và xử lý nước thải)",
            label_en="Basic services (power, water, wastewater)",
            met=met,
            measured=min(known.values()) if known else None,
            required=c.min_service_pct,
            missing_vi="; ".join(parts_vi),
            missing_en="; ".join(parts_en),
            citation=citations.ECO_INVESTOR,
        )
    )

    # 6. enterprise shares, only when recorded
    for key, share_key, attr, label_vi, label_en in _ENTERPRISE:
        if share_key not in area.enterprise_shares:
            continue
        v = float(area.enterprise_shares[share_key])
        need = getattr(c, attr)
        met = v >= need
        results.append(
            EcoCriterionResult(
                key=key,
                label_vi=label_vi,
                label_en=label_en,
                met=met,
                measured=v,
                required=need,
                missing_vi="" if met else f"{label_vi.lower()}: {_pct(v)} < {fmt_vi(need * 100)} %",
                missing_en="" if met else f"{label_en.lower()}: {v * 100:.1f} % < {need * 100:g} %",
                citation=citations.ECO_ENTERPRISE,
            )
        )

    n_met = sum(1 for r in results if r.met is True)
    n_unknown = sum(1 for r in results if r.met is None)
    name = area.name or str(area.id)
    missing_vi = [r.missing_vi for r in results if r.met is not True and r.missing_vi]
    missing_en = [r.missing_en for r in results if r.met is not True and r.missing_en]
    kind_vi = "KCN sinh thái" if area.kind == "KCN" else "CCN sinh thái"
    summary_vi = f"{name}: đạt {n_met}/{len(results)} tiêu chí {kind_vi}."
    summary_en = f"{name}: {n_met} of {len(results)} eco-industrial criteria met."
    if missing_vi:
        summary_vi += " Còn thiếu: " + "; ".join(missing_vi) + "."
        summary_en += " Missing: " + "; ".join(missing_en) + "."
    return EcoReadiness(
        area_id=area.id,
        area_name=name,
        criteria=tuple(results),
        n_met=n_met,
        n_unknown=n_unknown,
        n_total=len(results),
        ready=n_met == len(results),
        summary_vi=summary_vi,
        summary_en=summary_en,
    )


def eco_readiness_all(
    areas: Iterable[AreaRecord], *, criteria: EcoCriteria = EcoCriteria()
) -> list[EcoReadiness]:
    """:func:`eco_readiness` for each area, in input order."""
    return [eco_readiness(a, criteria=criteria) for a in areas]
