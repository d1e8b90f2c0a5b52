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
>>> import textwrap
>>> from planning.analysis.messages import render
>>> from planning.analysis.records import AreaRecord
>>> a = AreaRecord(id=7, kind="KCN", name="Phú Tài", planned_ha=100, green_ha=12,
...                shared_infra_ha=8, isolation_strip_m=10, wwtp_operating=True,
...                symbiosis_links=0, power_done_pct=100, water_done_pct=100,
...                wastewater_done_pct=80)
>>> r = eco_readiness(a)
>>> [(c.key, c.met) for c in r.criteria]  # doctest: +NORMALIZE_WHITESPACE
[('green_shared_land_share', False), ('isolation_strip', True), ('central_wwtp', True),
 ('symbiosis_link', False), ('basic_services', False)]
>>> print(textwrap.fill(render(r.summary, lang="en"), 90))
Phú Tài: 2 of 5 eco-industrial park criteria met. Missing: 5.0 ha more green, transport
and shared-infrastructure land needed (20.0 % < 25 %); no industrial-symbiosis link yet (≥
1 needed); wastewater collection only 80 % built.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from planning.analysis import citations
from planning.analysis.base import Serializable, require_positive, require_share
from planning.analysis.errors import CriteriaError
from planning.analysis.messages import N_, Message, join, listing, number, percent
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
    """One eco-park criterion of an area: met or not (``None``: no data) and what is missing."""

    key: str
    label: Message
    met: bool | None  # None: no data
    measured: float | None
    required: float | None
    missing: Message | None  # None when met
    citation: Message


@dataclass(frozen=True, kw_only=True)
class EcoReadiness(Serializable):
    """The eco-park criteria of one area and a one-sentence summary."""

    area_id: Hashable
    area_name: str
    criteria: tuple[EcoCriterionResult, ...]
    n_met: int
    n_unknown: int
    n_total: int
    ready: bool
    summary: Message


_SERVICES = {
    "power": N_("power supply"),
    "water": N_("water supply"),
    "wastewater": N_("wastewater collection"),
    "roads": N_("internal roads"),
}
_ENTERPRISE = (
    # key, share key in AreaRecord.enterprise_shares, criteria attribute, label
    (
        "recp_awareness",
        "recp_aware_share",
        "min_recp_aware_share",
        N_("Enterprises aware of resource efficiency and cleaner production (RECP)"),
    ),
    (
        "recp_application",
        "recp_applying_share",
        "min_recp_applying_share",
        N_("Enterprises applying RECP measures"),
    ),
    (
        "symbiosis_participation",
        "symbiosis_participation_share",
        "min_symbiosis_participation_share",
        N_("Enterprises taking part in industrial symbiosis"),
    ),
)


def eco_readiness(area: AreaRecord, *, criteria: EcoCriteria = EcoCriteria()) -> EcoReadiness:
    """Eco-industrial readiness of one area (criteria in the module docstring).

    Parameters
    ----------
    area : AreaRecord
        Land budget (ha), isolation strip (m), WWTP, symbiosis links, infrastructure completion
        (%), optional enterprise shares (0–1).
    criteria : EcoCriteria
        The thresholds.

    Returns
    -------
    EcoReadiness
        Each criterion with ``met`` (True/False/None), measured and required values, and what is
        missing (a :class:`~planning.analysis.messages.Message`).
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
        missing = (
            None
            if met
            else Message(
                N_(
                    "%(lack)s ha more green, transport and shared-infrastructure land needed "
                    "(%(share)s < %(required)s %%)"
                ),
                {
                    "lack": number(lack, 1),
                    "share": percent(share),
                    "required": number(c.min_green_shared_share * 100),
                },
            )
        )
    else:
        share, met = None, None
        missing = Message(N_("no planned area recorded"))
    results.append(
        EcoCriterionResult(
            key="green_shared_land_share",
            label=Message(N_("Green, transport and shared-infrastructure land share")),
            met=met,
            measured=share,
            required=c.min_green_shared_share,
            missing=missing,
            citation=citations.ECO_LAND_SHARE,
        )
    )

    # 2. isolation strip
    strip = area.isolation_strip_m
    if strip is None:
        met, missing = None, Message(N_("isolation strip width not recorded"))
    else:
        met = strip >= c.min_isolation_strip_m
        missing = (
            None
            if met
            else Message(
                N_("green isolation strip %(strip)s m wide < %(required)s m"),
                {"strip": number(strip, 1), "required": number(c.min_isolation_strip_m)},
            )
        )
    results.append(
        EcoCriterionResult(
            key="isolation_strip",
            label=Message(N_("Green isolation strip")),
            met=met,
            measured=strip,
            required=c.min_isolation_strip_m,
            missing=missing,
            citation=citations.ISOLATION_STRIP,
        )
    )

    # 3. central WWTP
    if c.require_wwtp:
        met = bool(area.wwtp_operating)
        results.append(
            EcoCriterionResult(
                key="central_wwtp",
                label=Message(N_("Central wastewater treatment plant operating")),
                met=met,
                measured=float(met),
                required=1.0,
                missing=(
                    None
                    if met
                    else Message(N_("no central wastewater treatment plant in operation"))
                ),
                citation=citations.ECO_INVESTOR,
            )
        )

    # 4. symbiosis links
    links = area.symbiosis_links
    if links is None:
        met, missing = None, Message(N_("symbiosis links not recorded"))
    else:
        met = links >= c.min_symbiosis_links
        need = {"links": links, "need": c.min_symbiosis_links}
        if met:
            missing = None
        elif links == 0:
            missing = Message(N_("no industrial-symbiosis link yet (≥ %(need)s needed)"), need)
        else:
            missing = Message(
                N_("only %(links)s industrial-symbiosis links (≥ %(need)s needed)"), need
            )
    results.append(
        EcoCriterionResult(
            key="symbiosis_link",
            label=Message(N_("Industrial-symbiosis link")),
            met=met,
            measured=None if links is None else float(links),
            required=float(c.min_symbiosis_links),
            missing=missing,
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
    parts = [
        Message(
            N_("%(service)s only %(done)s %% built"),
            {"service": Message(_SERVICES[s]), "done": number(v)},
        )
        for s, v in short.items()
    ]
    parts += [
        Message(N_("%(service)s not recorded"), {"service": Message(_SERVICES[s])}) for s in unknown
    ]
    results.append(
        EcoCriterionResult(
            key="basic_services",
            label=Message(N_("Basic services (power, water, wastewater)")),
            met=met,
            measured=min(known.values()) if known else None,
            required=c.min_service_pct,
            missing=listing(parts) if parts else None,
            citation=citations.ECO_INVESTOR,
        )
    )

    # 6. enterprise shares, only when recorded
    for key, share_key, attr, label in _ENTERPRISE:
        if share_key not in area.enterprise_shares:
            continue
        v = float(area.enterprise_shares[share_key])
        need = getattr(c, attr)
        met = v >= need
        results.append(
            EcoCriterionResult(
                key=key,
                label=Message(label),
                met=met,
                measured=v,
                required=need,
                missing=(
                    None
                    if met
                    else Message(
                        N_("%(label)s: %(share)s < %(required)s %%"),
                        {
                            "label": Message(label),
                            "share": percent(v),
                            "required": number(need * 100),
                        },
                    )
                ),
                citation=citations.ECO_ENTERPRISE,
            )
        )

    n_met = sum(1 for r in results if r.met is True)
    n_unknown = sum(1 for r in results if r.met is None)
    name = area.name or str(area.id)
    missing = [r.missing for r in results if r.met is not True and r.missing is not None]
    counts = {"name": name, "met": n_met, "total": len(results)}
    if area.kind == "KCN":
        summary = Message(
            N_("%(name)s: %(met)s of %(total)s eco-industrial park criteria met."), counts
        )
    else:
        summary = Message(
            N_("%(name)s: %(met)s of %(total)s eco-industrial cluster criteria met."), counts
        )
    if missing:
        summary = Message(
            N_("%(summary)s Missing: %(missing)s."), {"summary": summary, "missing": join(missing)}
        )
    return EcoReadiness(
        area_id=area.id,
        area_name=name,
        criteria=tuple(results),
        n_met=n_met,
        n_unknown=n_unknown,
        n_total=len(results),
        ready=n_met == len(results),
        summary=summary,
    )


def eco_readiness_all(
    areas: Iterable[AreaRecord], *, criteria: EcoCriteria = EcoCriteria()
) -> list[EcoReadiness]:
    """:func:`eco_readiness` for each area, in input order."""
    return [eco_readiness(a, criteria=criteria) for a in areas]
