"""Tables as files: the one CSV and XLSX writer of every download (analyses, sites, dashboards).

* **CSV** is UTF-8 with a byte-order mark (Excel then reads the Vietnamese text), ``\\n`` line
  ends, an empty field for no value.
* **XLSX** (openpyxl) puts each :class:`Sheet` on its own worksheet: header rows first (the first
  in bold, all of them frozen), numbers as numeric cells with a number format of as many decimals
  as the page shows (Excel then writes them with the reader's own separators), :class:`Link`
  cells clickable.
* **Numbers** are rounded as on the page by :meth:`Column.file_value`
  (:func:`planning.analysis.numformat.for_file`): no binary tails (``16.00999999999999``) in a
  spreadsheet, whole numbers (people, counts) as integers.

Headers are whatever the caller gives: translated labels (``gettext_lazy``) come out in the
language active when the file is written, the request's. No Django import here: selectors and
services both write files through this module (it sits beside :mod:`planning.geo` in the
dependency order and imports only :mod:`planning.analysis.numformat` and openpyxl).

Examples
--------
>>> cols = (Column("name", "Name"), Column("area_ha", "Area (ha)", 2), Column("n", "Count", 0))
>>> rows = [[c.file_value(v) for c, v in zip(cols, r, strict=True)]
...         for r in (("A", 16.00999999999999, 3.0), ("B", None, None))]
>>> rows
[['A', 16.01, 3], ['B', None, None]]
>>> write_csv(labels(cols), rows).decode("utf-8")
'\\ufeffName,Area (ha),Count\\nA,16.01,3\\nB,,\\n'
>>> from openpyxl import load_workbook
>>> import io
>>> sheet = Sheet("T", rows, cols, header=("label", "key"))
>>> book = load_workbook(io.BytesIO(write_xlsx([sheet])))
>>> [[c.value for c in r] for r in book["T"].iter_rows()]  # doctest: +NORMALIZE_WHITESPACE
[['Name', 'Area (ha)', 'Count'], ['name', 'area_ha', 'n'], ['A', 16.01, 3],
 ['B', None, None]]
>>> book["T"]["B3"].number_format, book["T"].freeze_panes
('#,##0.00', 'A3')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from planning.analysis import numformat

__all__ = [
    "TEXT",
    "CSV_TYPE",
    "XLSX_TYPE",
    "Column",
    "Link",
    "Sheet",
    "labels",
    "keys",
    "record_rows",
    "write_csv",
    "write_xlsx",
]

#: ``Column.digits`` of a text (or flag, or date) column: written as it is.
TEXT = None
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of a table: its key, its header label and how its numbers are kept.

    Parameters
    ----------
    key
        The field name (the machine header row of the XLSX analyses, the key of a record).
    label
        The header people read; a lazy translation is written in the active language.
    digits
        Decimals kept in the file; :data:`TEXT` (``None``) for text, flags and dates.
    percent_of_one
        The column holds a share (0–1): XLSX shows it as a percentage with ``digits - 2``
        decimals, the cell keeping the share.
    """

    key: str
    label: Any = ""
    digits: int | None = TEXT
    percent_of_one: bool = False

    def file_value(self, value):
        """``value`` as a CSV/XLSX cell holds it (rounded like the page for a number column)."""
        return value if self.digits is None else numformat.for_file(value, self.digits)

    def excel_format(self) -> str | None:
        """The XLSX number format of the column, ``None`` for a text column."""
        if self.digits is None:
            return None
        if self.percent_of_one:
            return numformat.excel_format(max(self.digits - 2, 0), percent_of_one=True)
        return numformat.excel_format(self.digits)


@dataclass(frozen=True)
class Link:
    """An XLSX cell showing ``text`` that opens ``url`` (CSV writes the text)."""

    text: Any
    url: str

    def __str__(self) -> str:
        return str(self.text)


@dataclass(frozen=True)
class Sheet:
    """One worksheet of :func:`write_xlsx`.

    Parameters
    ----------
    title
        The worksheet's name (characters Excel refuses are replaced, cut at 31).
    rows
        The data rows, values as the cells hold them (see :meth:`Column.file_value`).
    columns
        The table's columns: header rows and number formats. Empty for a free-form sheet (a
        sheet of parameters or notes), whose rows are written as they are.
    header
        Header rows above the data, in order: ``"label"`` (the column labels) and/or ``"key"``
        (the field names).
    bold_first_row
        Write the first row in bold (default: when there is a header).
    column_widths
        Size each column to its label (10 to 45 characters).
    """

    title: Any
    rows: Sequence[Sequence]
    columns: Sequence[Column] = ()
    header: tuple[str, ...] = ("label",)
    bold_first_row: bool | None = None
    column_widths: bool = False


def labels(columns: Iterable[Column]) -> list[str]:
    """The header labels of ``columns``, as text in the active language."""
    return [str(c.label) for c in columns]


def keys(columns: Iterable[Column]) -> list[str]:
    """The field names of ``columns``."""
    return [c.key for c in columns]


def record_rows(records: Iterable[Mapping], columns: Sequence[Column]) -> list[list]:
    """Rows of ``records`` (mappings by column key), each value as its column keeps it."""
    return [[c.file_value(r.get(c.key)) for c in columns] for r in records]


_XLSX_PLAIN = (str, int, float, bool, Decimal, dt.date, dt.datetime, dt.time)


def _xlsx_value(value):
    # Lazy translations and other objects are written as their text; numbers and dates as such.
    if value is None or isinstance(value, _XLSX_PLAIN):
        return value
    return str(value)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Link):
        return str(value)
    return value


def write_csv(header: Sequence | None, rows: Iterable[Sequence]) -> bytes:
    """``header`` (one row, or ``None``) and ``rows`` as CSV bytes, UTF-8 with a byte-order mark."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header is not None:
        writer.writerow([str(h) for h in header])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _title(title) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31]


def write_xlsx(sheets: Iterable[Sheet]) -> bytes:
    """Every sheet on its own worksheet of one XLSX workbook, as bytes."""
    from openpyxl import Workbook  # only the XLSX downloads need openpyxl loaded
    from openpyxl.styles import Font

    wb = Workbook()
    first = True
    for sheet in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = _title(sheet.title)
        columns = list(sheet.columns)
        header = sheet.header if columns else ()
        for kind in header:
            ws.append(labels(columns) if kind == "label" else keys(columns))
        bold = bool(header) if sheet.bold_first_row is None else sheet.bold_first_row
        formats = [c.excel_format() for c in columns]
        for row in sheet.rows:
            ws.append([_xlsx_value(v) for v in row])
            for j, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(ws.max_row, j)
                if isinstance(value, Link):
                    cell.hyperlink = value.url
                    cell.style = "Hyperlink"
                elif j <= len(formats) and formats[j - 1] is not None:
                    cell.number_format = formats[j - 1]
        if bold and ws.max_row >= 1:
            for cell in ws[1]:
                cell.font = Font(bold=True)
        if header:
            ws.freeze_panes = f"A{len(header) + 1}"
        if sheet.column_widths:
            for j, c in enumerate(columns, start=1):
                ws.column_dimensions[ws.cell(1, j).column_letter].width = max(
                    10, min(45, len(str(c.label)) + 2)
                )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
