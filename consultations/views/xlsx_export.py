"""A streamed XLSX sheet people can read at once: widths set, long texts wrapped, the
header row frozen and bold, days as real date cells."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

DATE_FORMAT = "yyyy-mm-dd"


def workbook(
    *,
    title: str,
    headers: list[str],
    fields: tuple[str, ...],
    rows: Iterable[Mapping[str, Any]],
    widths: Mapping[str, int],
    wrapped: set[str],
    properties: Mapping[str, str],
) -> IO[bytes]:
    """Rows go straight to a temporary file (write-only mode): memory stays flat."""
    wb = Workbook(write_only=True)
    for name, value in properties.items():
        setattr(wb.properties, name, value)
    ws = wb.create_sheet(title)
    for i, f in enumerate(fields, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(f, 12)
    ws.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    header = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for f in fields:
            cell = WriteOnlyCell(ws, value=row[f])
            if isinstance(row[f], date):
                cell.number_format = DATE_FORMAT
            cell.alignment = wrap if f in wrapped else top
            cells.append(cell)
        ws.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    wb.save(out)
    out.seek(0)
    return out  # type: ignore[return-value]
