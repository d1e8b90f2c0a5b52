"""The developer capacity verdict says when it rests on demonstration data (issue 13 §6).

Rule (DOMAIN.md §2.4b, Decree 43/2014 Art. 14, partly confirmed): own capital ≥ 20 % of the
total investment of a project under 20 ha, ≥ 15 % from 20 ha. The verdict is only as good as its
two figures; when either is invented for the demonstration the message says so.
"""

from __future__ import annotations

from planning.analysis.records import AreaRecord, DeveloperRecord
from planning.analysis.targets import developer_capacity
from tests.planning.analysis.texts import en, vi

# A 50 ha KCN being built for 1,000 bn VND: 15 % × 1,000 = 150 bn VND of own capital required.
AREA = AreaRecord(
    id="KCN-X",
    kind="KCN",
    status="building",
    planned_ha=50,
    developer_id="D",
    total_investment_bn_vnd=1000,
)


def test_a_real_company_with_invented_capital_gets_a_verdict_on_demonstration_data():
    dev = DeveloperRecord(
        id="D",
        kind="enterprise",
        name="Công ty Cổ phần Becamex Bình Định",
        own_capital_bn_vnd=2350,
        capital_is_synthetic=True,
    )
    (c,) = developer_capacity(developers=[dev], areas=[AREA])
    assert c.required_bn_vnd == 150.0 and c.passed is True  # 2,350 ≥ 150
    assert c.rests_on_demonstration_data is True
    assert en(c.message) == (
        "Developer Công ty Cổ phần Becamex Bình Định: own capital 2,350.0 bn VND ≥ the minimum "
        "150.0 bn VND (1 projects) — met. This verdict rests on demonstration data (its own "
        "capital invented for the demonstration), not on audited figures."
    )
    assert "dữ liệu minh họa" in vi(c.message)


def test_invented_total_investment_is_named():
    dev = DeveloperRecord(id="D", kind="enterprise", name="Cty X", own_capital_bn_vnd=100)
    (c,) = developer_capacity(developers=[dev], areas=[AREA], synthetic_investment={"KCN-X"})
    assert c.passed is False  # 100 < 150
    assert c.rests_on_demonstration_data is True
    assert en(c.message).endswith(
        "This verdict rests on demonstration data (the total investment of KCN-X invented for "
        "the demonstration), not on audited figures."
    )


def test_sourced_figures_give_a_plain_verdict():
    dev = DeveloperRecord(id="D", kind="enterprise", name="Cty X", own_capital_bn_vnd=100)
    (c,) = developer_capacity(developers=[dev], areas=[AREA])
    assert c.rests_on_demonstration_data is False
    assert "demonstration" not in en(c.message)


def test_no_verdict_no_demonstration_warning():
    """Without own capital there is no verdict, so nothing rests on the invented investment."""
    dev = DeveloperRecord(id="D", kind="state", name="Ban QLDA")
    (c,) = developer_capacity(developers=[dev], areas=[AREA], synthetic_investment={"KCN-X"})
    assert c.passed is None and c.rests_on_demonstration_data is False
