"""The one CSV/XLSX writer (planning/tables.py) and the analyses' texts at the edge (texts.py).

A stored result holds message ids; it reads in the language of whoever reads it, and results
stored before messages existed (``message_vi``/``message_en`` texts) read the same way.
"""

from __future__ import annotations

import doctest
import io

from django.utils import translation
from openpyxl import load_workbook

from planning import tables, texts
from planning.analysis import citations
from planning.analysis.proposal_checks import check_proposal
from planning.analysis.records import AreaRecord
from planning.analysis.targets import transfer_candidates


def test_tables_doctests():
    failed, attempted = doctest.testmod(tables)
    assert attempted and not failed


def test_xlsx_links_text_cells_and_free_sheets():
    cols = (tables.Column("name", "Name"), tables.Column("share", "Share", 4, percent_of_one=True))
    rows = [[tables.Link("CCN A", "https://example.org/a"), 0.61234], ["CCN B", None]]
    about = [["A title"], ["Exported on", "2026-12-07"]]
    content = tables.write_xlsx(
        [
            tables.Sheet("About", about, bold_first_row=True),
            tables.Sheet("Areas: [all]", rows, cols, column_widths=True),
        ]
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["About", "Areas   all "]
    assert book["About"]["A1"].font.bold and book["About"].freeze_panes is None
    ws = book["Areas   all "]
    assert ws["A2"].value == "CCN A" and ws["A2"].hyperlink.target == "https://example.org/a"
    assert ws["B2"].number_format == "0.00%" and ws["B2"].value == 0.61234
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    csv = tables.write_csv(tables.labels(cols), rows).decode("utf-8")
    assert csv == "\ufeffName,Share\nCCN A,0.61234\nCCN B,\n"


def _state_cluster():
    a = AreaRecord(
        id="CCN-1",
        kind="CCN",
        name="Cầu 16",
        planned_ha=20,
        leasable_ha=14,
        leased_ha=7,
        developer_id=3,
        developer_kind="state",
    )
    return {"transfer_candidates": [c.to_dict() for c in transfer_candidates([a])]}


def test_a_stored_result_reads_in_the_readers_language():
    stored = _state_cluster()
    message = stored["transfer_candidates"][0]["message"]
    assert set(message) == {"msgid", "params"}  # stored: the id and its parameters
    with translation.override("vi"):
        vi = texts.translate(stored)["transfer_candidates"][0]
    with translation.override("en"):
        en = texts.translate(stored)["transfer_candidates"][0]
    assert vi["message"] == (
        "Cụm công nghiệp Cầu 16 do đơn vị nhà nước làm chủ đầu tư, chưa chuyển giao cho doanh "
        "nghiệp (lấp đầy 50,0 %, còn 7,0 ha chưa cho thuê)."
    )
    assert en["message"] == (
        "Industrial cluster Cầu 16 is developed by a state unit and not yet transferred to an "
        "enterprise (occupancy 50.0 %, 7.0 ha not leased)."
    )
    # Both languages beside it for the readers that choose themselves; the citation as text.
    assert vi["message_vi"] == en["message_vi"] == vi["message"]
    assert vi["message_en"] == en["message"]
    assert "32/2024" in vi["citation"] and "CHƯA XÁC NHẬN" in vi["citation"]
    assert "NOT CONFIRMED" in en["citation"]


def test_results_stored_before_messages_read_as_before():
    old = {
        "rules": [{"rule": "x", "message_vi": "Nằm trong địa bàn X.", "message_en": "Inside X."}]
    }
    with translation.override("en"):
        assert texts.translate(old)["rules"][0]["message"] == "Inside X."
    with translation.override("vi"):
        assert texts.translate(old)["rules"][0]["message"] == "Nằm trong địa bàn X."
        assert texts.translate(old)["rules"][0]["message_en"] == "Inside X."


def test_rule_messages_and_numbers_follow_the_language():
    from shapely import box

    rules = [r.to_dict() for r in check_proposal(geometry=box(0, 0, 1000, 1000), kind="CCN")]
    with translation.override("vi"):
        (area,) = [r for r in texts.translate(rules) if r["rule"] == "area_limits"]
        assert area["message"] == "Diện tích 100,00 ha vượt mức tối đa 75 ha của cụm công nghiệp."
    with translation.override("en"):
        (area,) = [r for r in texts.translate(rules) if r["rule"] == "area_limits"]
        assert (
            area["message"] == "Area 100.00 ha exceeds the 75 ha maximum of an industrial cluster."
        )
    assert texts.text(citations.RICE_PHASING, "vi").startswith("Nghị định 35/2022/NĐ-CP, Điều 9")
