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
