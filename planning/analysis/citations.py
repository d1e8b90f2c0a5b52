"""Legal and source citations used in rule results, in one place (see ``/work/shared/DOMAIN.md``).

Wording rule: cite what DOMAIN.md marks **confirmed**; where the article number or the threshold
was not confirmed, the citation says so in the text ("article number not verified", "NOT
CONFIRMED"; in Vietnamese "số điều chưa xác minh", "CHƯA XÁC NHẬN") instead of inventing precision.
Legal review should replace these texts once the official texts (thuvienphapluat.vn, vbpl.vn)
have been checked — DOMAIN.md §8 lists the open items.

Each citation is a :class:`~planning.analysis.messages.Message`: English msgid here, the
Vietnamese text in the catalogue (``locale/vi/LC_MESSAGES/django.po``).

Examples
--------
>>> "32/2024" in CCN_AREA_LIMITS.msgid and "not verified" in CCN_AREA_LIMITS.msgid
True
>>> str(CCN_EXPANSION)[:60]
'Decree 32/2024/ND-CP, conditions for expanding a CCN (occupa'

"""

from __future__ import annotations

from planning.analysis.messages import N_, Message

# DOMAIN §2.2 — confirmed limits (10–75 ha; 5–75 ha mountainous or craft village); the article
# number of Decree 32/2024 carrying them was not read.
CCN_AREA_LIMITS = Message(
    N_(
        "Decree 32/2024/ND-CP (CCN size 10–75 ha; 5–75 ha in mountainous areas and for "
        "craft-village clusters; article number not verified; the minimum taken as inclusive — "
        "needs legal review)"
    )
)
# DOMAIN §1.4 — Art. 9 phasing (> 500 ha in phases of ≤ 500 ha) is confirmed; a KCN minimum is
# a design assumption (DOMAIN §3.1 rules of thumb), not law.
KCN_AREA_LIMITS = Message(
    N_(
        "Decree 35/2022/ND-CP, Article 9 (a KCN over 500 ha must be phased, each phase ≤ 500 "
        "ha); the KCN minimum area is a design assumption, NOT CONFIRMED in law"
    )
)
# DOMAIN §1.4 — Decree 35 sets occupancy conditions for KCN whose thresholds were not confirmed.
KCN_OCCUPANCY = Message(N_("Decree 35/2022/ND-CP (occupancy condition; threshold NOT CONFIRMED)"))
# DOMAIN §1.4 — rice-land phasing, confirmed for the Mekong (200 ha) and Central Coast (150 ha).
RICE_PHASING = Message(
    N_(
        "Decree 35/2022/ND-CP, Article 9 (converting land of two or more rice crops: phasing "
        "above 200 ha in the Red River and Mekong deltas; 150 ha in the North Central, Central "
        "Coast and Southeast regions)"
    )
)
# DOMAIN §2.3 — conditions confirmed from secondary sources; article number not read, and the
# "district" scope after 1 July 2025 is not settled (DOMAIN §5).
CCN_NEW_OCCUPANCY = Message(
    N_(
        "Decree 32/2024/ND-CP, conditions for establishing a CCN (the clusters of the area have "
        "an average occupancy > 50 %% or at most 100 ha of industrial land not yet leased; "
        "article number not verified; the scope 'district-level area' after 1 July 2025 not "
        "settled)"
    )
)
CCN_EXPANSION = Message(
    N_(
        "Decree 32/2024/ND-CP, conditions for expanding a CCN (occupancy ≥ 60 %% or demand for "
        "land beyond what is available; total area after expansion ≤ 75 ha; article number not "
        "verified)"
    )
)
CCN_LAND_USE_PLAN = Message(
    N_(
        "Decree 32/2024/ND-CP, conditions for establishing a CCN (in the CCN development plan, "
        "consistent with the district land-use plan; article number not verified)"
    )
)
# DOMAIN §3.3 — QCVN 01:2019/BXD, confirmed (secondary source).
ISOLATION_STRIP = Message(
    N_("QCVN 01:2019/BXD (green isolation strip ≥ 10 m wide around a KCN or CCN)")
)
# DOMAIN §1.3 — Art. 37 investor criteria confirmed (text truncated); 25 % land share NOT CONFIRMED.
ECO_INVESTOR = Message(
    N_(
        "Decree 35/2022/ND-CP, Article 37 (the developer of an eco-industrial park provides the "
        "basic services: power, water, communications, fire protection, wastewater treatment; "
        "services supporting industrial symbiosis)"
    )
)
ECO_LAND_SHARE = Message(
    N_(
        "Criterion green, transport and shared-infrastructure land ≥ 25 %% of the KCN area (per "
        "Decree 82/2018/ND-CP; NOT CONFIRMED for Decree 35/2022/ND-CP, Articles 37–38)"
    )
)
ECO_SYMBIOSIS = Message(
    N_(
        "Decree 35/2022/ND-CP, Article 2 clause 5 and Article 36 (industrial symbiosis); the "
        "threshold '≥ 1 symbiosis link' per Decree 82/2018/ND-CP, NOT CONFIRMED for Decree "
        "35/2022"
    )
)
ECO_ENTERPRISE = Message(
    N_(
        "Eco-industrial-park enterprise criteria (≥ 90 %% aware of RECP, ≥ 20 %% applying RECP, "
        "≥ 10 %% taking part in symbiosis) per Decree 82/2018/ND-CP; NOT CONFIRMED for Decree "
        "35/2022/ND-CP"
    )
)
# DOMAIN §2.4b — partially confirmed (Decree 43/2014 Art. 14; numbers cut in the excerpt read).
OWN_CAPITAL = Message(
    N_(
        "Decree 43/2014/ND-CP, Article 14 (own capital ≥ 20 %% of the total investment for "
        "projects under 20 ha, ≥ 15 %% for projects of 20 ha or more; PARTLY CONFIRMED — to "
        "check against the decrees implementing the Land Law 2024)"
    )
)
# The provincial source documents (/work/shared/sources/).
TWO_YEAR_RULE = Message(
    N_(
        "Conclusion notice of the Chairman of the Bình Định People's Committee (meeting of 11 "
        "April 2025): consider withdrawing industrial parks and clusters that miss the "
        "investment and development targets assigned in 02 consecutive years"
    )
)
STATE_CLUSTER_TRANSFER = Message(
    N_(
        "Decree 32/2024/ND-CP (units assigned as developer under Article 15 clause 2 of Decree "
        "68/2017/ND-CP continue until a reorganisation decision); conclusion notice of the "
        "Chairman of the Bình Định People's Committee, 11 April 2025 (transfer of "
        "state-developed clusters to enterprises; the transfer procedure NOT CONFIRMED)"
    )
)
SECONDARY_PROJECT_RECOVERY = Message(
    N_(
        "Investment Law 2020 (terminating projects behind schedule; the exact provision not "
        "verified); conclusion notice of the Chairman of the Sóc Trăng People's Committee, 12 "
        "February 2025 (recovering land of projects that have stopped operating)"
    )
)
OVERLAP = Message(
    N_(
        "Provincial plan, KCN/CCN development plan: a proposed boundary does not overlap "
        "existing or other proposed parks and clusters"
    )
)
INSIDE_UNIT = Message(
    N_(
        "Decree 32/2024/ND-CP: the CCN lies in the territory of the proposing unit, consistent "
        "with the land-use plan (article number not verified)"
    )
)
ROAD_ACCESS = Message(
    N_(
        "Conclusion notice of the Chairman of the Bình Định People's Committee, 11 April 2025 "
        "(plan new parks and clusters along roads invested or being invested); the maximum "
        "distance is a design parameter, NO LEGAL BASIS yet"
    )
)
EXCLUSION = Message(
    N_(
        "Exclusion criteria in site selection (special-use/protection forest, water bodies, "
        "flood zones): design parameters (DOMAIN.md §7.2), NO specific LEGAL BASIS"
    )
)

# --- issue 13 rules: phases, rice-land phasing, expansion condition 4, land-use breakdown --------
# DOMAIN §1.4 — confirmed (lawnet.vn; atim.com.vn): a KCN over 500 ha is invested in phases of
# at most 500 ha.
KCN_PHASES = Message(
    N_(
        "Decree 35/2022/ND-CP, Article 9 (a KCN over 500 ha is invested in phases, each phase "
        "≤ 500 ha)"
    )
)
# DOMAIN §1.4 — "other regions: > 100 ha" was read in a truncated excerpt: the region list is
# NOT CONFIRMED (e.g. the Central Highlands, old Gia Lai).
RICE_PHASING_OTHER = Message(
    N_(
        "Decree 35/2022/ND-CP, Article 9 (converting land of two or more rice crops in the other "
        "regions: phasing above 100 ha; the region list NOT CONFIRMED — the excerpt read was "
        "truncated)"
    )
)
# DOMAIN §2.3 expansion condition 4 — confirmed; how complete "built and in use" must be is an
# ASSUMPTION of the service (100 % and an operating treatment plant by default).
CCN_EXPANSION_INFRASTRUCTURE = Message(
    N_(
        "Decree 32/2024/ND-CP, conditions for expanding a CCN (essential shared infrastructure — "
        "internal roads, water supply, wastewater collection and treatment — built and in use "
        "per the approved detailed plan; article number not verified; the completion threshold "
        "is an ASSUMPTION of the service)"
    )
)
# DOMAIN §2.2 — confirmed (vietanlaw.com): services ≤ 10 % of the CCN area.
CCN_SERVICES_SHARE = Message(
    N_(
        "Decree 32/2024/ND-CP (warehousing, packaging, transport, repair and similar services "
        "≤ 10 %% of the CCN area; article number not verified)"
    )
)

# issue 13 eco — conversion roadmaps. The notice is a provincial source document
# (/work/shared/sources/000_…); no official smart-park criteria exist in DOMAIN.md.
ECO_CONVERSION = Message(
    N_(
        "Conclusion notice of the Chairman of the Bình Định People's Committee, 11 April 2025: "
        "parks and clusters convert to the eco-industrial model (industrial symbiosis, green "
        "energy, recycling, circular economy); old parks (Phú Tài, Hòa Hội) convert gradually to "
        "eco and smart parks, with measures against parks that do not; Decree 35/2022/ND-CP, "
        "Articles 2 clause 5 and 37 (eco-park criteria; enterprise-level thresholds NOT "
        "CONFIRMED)"
    )
)
SMART_CHECKLIST = Message(
    N_(
        "Smart industrial park: no official Vietnamese criteria found; the checklist is the "
        "province's working list (ASSUMPTION)"
    )
)

# issue 13 roads — access control on expressways. The definition is quoted from Article 3 of the
# Law on Road Traffic 23/2008/QH12 by secondary sources (thuviennhadat.vn/phap-luat/
# duong-cao-toc-la-gi-585288.html; thactrang.com/tin-tuc/quy-dinh-ve-vach-ke-cheo-tren-duong-cao-
# toc-134201.html): "chỉ cho xe ra, vào ở những điểm nhất định". The clause number, and the
# article of the Road Law 35/2024/QH15 that replaced it, were not read.
EXPRESSWAY_ACCESS = Message(
    N_(
        "Law on Road Traffic 23/2008/QH12, Article 3 (an expressway lets vehicles enter and "
        "leave only at designated points; clause number not verified); the corresponding "
        "article of the Road Law 35/2024/QH15 is NOT CONFIRMED; the distance to an interchange "
        "is a design parameter (ASSUMPTION)"
    )
)
#: Site suggestion's default roads: the Bình Định notice asks districts to plan new parks and
#: clusters "trên các hướng tuyến đường địa phương đã và đang đầu tư xây dựng" (sources/000).
LOCAL_ROADS = Message(
    N_(
        "Conclusion notice of the Chairman of the Bình Định People's Committee, 11 April 2025, "
        "section II.5 (new parks and clusters along local roads invested or being invested)"
    )
)

# --- issue 13 enforce ---------------------------------------------------------------------------
# DOMAIN §2.5 — periods and deadlines confirmed from secondary sources; whether a report dated on
# the deadline is on time ("trước ngày 20") is our reading.
PERIODIC_REPORTING = Message(
    N_(
        "Circular 14/2024/TT-BCT, amended by Circular 38/2025/TT-BCT (half-year report: data "
        "15 December – 14 June, due by 20 June; annual report: data 15 December – 14 December, "
        "due by 20 December; a report dated on the deadline counted on time — needs legal "
        "review)"
    )
)
# DOMAIN §1.5 — Art. 27(1)(c) confirmed; no periodic form or calendar for KCN was found.
KCN_REPORTING = Message(
    N_(
        "Decree 35/2022/ND-CP, Article 27(1)(c) (KCN investors report under the investment law; "
        "NO periodic form or calendar CONFIRMED — the CCN calendar of Circular 14/2024/TT-BCT "
        "applied as an ASSUMPTION)"
    )
)

# --- issue 13 plan: establishment condition 1 (on the provincial plan's list) ------------------
# DOMAIN §2.3 — condition 1 for a new CCN (confirmed, secondary sources; article number not read).
CCN_ON_PLAN = Message(
    N_(
        "Decree 32/2024/ND-CP, conditions for establishing a CCN, condition 1 (the cluster is on "
        "the approved list of clusters of the province and fits the land-use plan; article number "
        "not verified)"
    )
)
# DOMAIN §1.4 — Art. 9 conformity (confirmed, lawnet.vn summary).
KCN_ON_PLAN = Message(
    N_(
        "Decree 35/2022/ND-CP, Article 9 (the KCN fits the regional and provincial plans and is "
        "on the provincial list of KCN, or in an approved general plan of an economic zone)"
    )
)
