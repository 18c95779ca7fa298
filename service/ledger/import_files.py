"""Reading an aging export, CSV or XLSX, as a stream of numbered rows under a header row.

Nothing here holds the whole file: CSV is decoded line by line from the (spooled) upload, XLSX is
read with openpyxl's read-only mode, which parses the sheet XML as it goes.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from service.errors import BadRequest, Unprocessable

COLUMNS = (
    "customer_id",
    "customer_name",
    "language",
    "locale",
    "timezone",
    "email",
    "phone",
    "invoice_number",
    "currency",
    "amount",
    "balance",
    "issue_date",
    "due_date",
    "po_number",
)
REQUIRED = (
    "customer_id",
    "customer_name",
    "invoice_number",
    "currency",
    "amount",
    "balance",
    "issue_date",
    "due_date",
)

Cell = str | int | float | Decimal | date | None
"""A cell as read: CSV gives text; XLSX gives numbers and dates as typed in the workbook."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SNIFF_BYTES = 8192
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Sheet:
    """The rows of an export below its header.

    `columns` maps each known column to its position; `rows` yields `(row, cells)` for every
    non-blank row, `row` being the 1-based row number a spreadsheet shows (the header is row 1
    when nothing precedes it). `decimal_comma` says amounts are written `1.234,50`.
    `progress(row)` tells how far the file is read once `row` is: bytes of a CSV, rows of a
    workbook, out of `total` (None when the workbook does not say how many rows it has).
    `text_only` says every cell is a `str` (CSV), which spares the validator type checks.
    """

    columns: dict[str, int]
    rows: Iterator[tuple[int, Sequence[Cell]]]
    decimal_comma: bool
    text_only: bool
    close: Callable[[], None]
    progress: Callable[[int], int]
    total: int | None


def open_sheet(binary: IO[bytes]) -> Sheet:
    """Open `binary` (positioned anywhere) as CSV or XLSX, decided by its content, not its name.

    Raises `BadRequest` for a file that is neither, `Unprocessable` for an empty file or one whose
    header lacks a required column.
    """
    binary.seek(0)
    head = binary.read(_SNIFF_BYTES)
    binary.seek(0)
    if not head.strip():
        raise Unprocessable(f"the file is empty: expected a header row with {', '.join(REQUIRED)}")
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(binary)
    if head.startswith(_OLE2_MAGIC):
        raise BadRequest("legacy .xls workbooks are not supported: save the export as .xlsx or CSV")
    if b"\x00" in head or not _is_utf8(head):
        raise BadRequest("not a CSV or XLSX file: CSV must be UTF-8 text (Excel: 'CSV UTF-8')")
    return _open_csv(binary)


def _is_utf8(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _open_csv(binary: IO[bytes]) -> Sheet:
    size = binary.seek(0, io.SEEK_END)
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    leading: list[str] = []
    for line in text:
        leading.append(line)
        if line.strip():
            break
    # Excel writes `;` where the decimal separator is a comma; the header line says which it is.
    header_line = leading[-1] if leading else ""
    delimiter = max(_DELIMITERS, key=header_line.count)
    records = csv.reader(itertools.chain(leading, text), delimiter=delimiter)
    rows = _csv_rows(records)
    return Sheet(
        columns=_header(rows),
        rows=rows,
        decimal_comma=delimiter == ";",
        text_only=True,
        # Detached, not closed: the caller owns the binary file (an upload, an open path).
        close=lambda: _detach(text),
        # The decoder reads ahead by a few kilobytes: near enough for a progress bar.
        progress=lambda _row: min(binary.tell(), size),
        total=size,
    )


def _detach(text: io.TextIOWrapper) -> None:
    text.detach()


def _csv_rows(records: Iterator[list[str]]) -> Iterator[tuple[int, Sequence[Cell]]]:
    """Numbered non-blank records (one generator: this runs once per row of large files)."""
    try:
        for number, cells in enumerate(records, start=1):
            if "".join(cells).strip():
                yield number, cells
    except UnicodeDecodeError as exc:
        raise BadRequest("the CSV is not UTF-8 text: save it as 'CSV UTF-8'") from exc
    except csv.Error as exc:
        raise BadRequest(f"the CSV cannot be read: {exc}") from exc


def _open_xlsx(binary: IO[bytes]) -> Sheet:
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
        worksheet = workbook.worksheets[0]
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, IndexError) as exc:
        raise BadRequest("not a readable XLSX workbook") from exc
    # A read-only sheet knows its row count when the workbook records its dimensions.
    max_row = getattr(worksheet, "max_row", None)
    values = worksheet.iter_rows(values_only=True)
    numbered = _unzipped(
        enumerate((tuple(_xlsx_cell(value) for value in row) for row in values), start=1)
    )
    return Sheet(
        columns=_header(numbered),
        rows=_non_blank(numbered),
        decimal_comma=False,
        text_only=False,
        close=workbook.close,
        progress=lambda row: row,
        total=max_row if isinstance(max_row, int) and max_row > 1 else None,
    )


def _unzipped(
    rows: Iterator[tuple[int, Sequence[Cell]]],
) -> Iterator[tuple[int, Sequence[Cell]]]:
    try:
        yield from rows
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadRequest("the XLSX workbook is damaged") from exc


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | Decimal | date):
        return value
    return str(value)  # times, booleans, error values: kept as the text a user would see


def _header(rows: Iterator[tuple[int, Sequence[Cell]]]) -> dict[str, int]:
    """The column positions named by the first non-blank row; the rows below stay unread."""
    for _number, cells in rows:
        if not _is_blank(cells):
            return _columns(cells)
    raise Unprocessable(f"the file is empty: expected a header row with {', '.join(REQUIRED)}")


def _columns(cells: Sequence[Cell]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        name = str(cell or "").strip().lower().replace(" ", "_").replace("-", "_")
        if name in COLUMNS and name not in columns:
            columns[name] = position
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise Unprocessable(
            f"missing required columns: {', '.join(missing)} "
            f"(the header row must name {', '.join(REQUIRED)})"
        )
    return columns


def _is_blank(cells: Sequence[Cell]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _non_blank(
    rows: Iterator[tuple[int, Sequence[Cell]]],
) -> Iterator[tuple[int, Sequence[Cell]]]:
    return (row for row in rows if not _is_blank(row[1]))


def cell_text(cell: Cell) -> str:
    """A cell as stripped text: a whole-number float (an id typed in Excel) loses its `.0`."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


__all__ = ["COLUMNS", "REQUIRED", "Cell", "Sheet", "cell_text", "open_sheet"]
