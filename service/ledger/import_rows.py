"""Validation of aging-export rows, chunk by chunk, with a reason for every rejected row.

Rules of a file, beyond each field's own validation:

- An invoice number may appear once. A later row with a number already seen on an earlier row
  (valid or not) is rejected and names that row: the export is ambiguous about that invoice, and
  keeping the first makes the outcome independent of chunk boundaries and of row order in
  re-exports that append.
- A customer recurs on many rows; its details (name, language, locale, time zone, email, phone)
  come from its first valid row. Later rows only point at it, though each is still validated in
  full, so a bad phone is reported wherever it appears.
- A blank optional cell, or an absent optional column, means "not given": it never erases what
  Cobro already holds (an export without an email column must not wipe emails set by the API).

The validator keeps nothing per row between chunks, so a file of any length is read in bounded
memory: which invoice numbers and customers the file has already shown is kept by the database
while the import runs (see `import_stage`), and the duplicate reason joins a row's other reasons
once the database has answered (`Chunk.rejections`).
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from service.ledger import normalize
from service.ledger.import_files import COLUMNS, Cell, Sheet, cell_text
from service.ledger.schemas import RejectedRow

_MAX_LENGTHS = {"customer_id": 128, "customer_name": 300, "invoice_number": 128, "po_number": 128}
_GROUPED_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# Customers' validated details by their raw cells: an export repeats them on every invoice row.
# Bounded: past the limit the cache starts afresh (the costly phone parsing has its own cache).
_CACHE_LIMIT = 50_000

StagedRow = tuple[Any, ...]
"""One row as the stage table takes it, in the order of `STAGE_COLUMNS`."""

STAGE_COLUMNS = (
    "row",
    "number",
    "valid",
    "external_id",
    "name",
    "language",
    "locale",
    "timezone",
    "email",
    "phone",
    "currency",
    "amount",
    "balance",
    "issued_on",
    "due_on",
    "po_number",
    "digest",
)
_INVALID_TAIL = (None,) * (len(STAGE_COLUMNS) - 3)


@dataclass
class Chunk:
    """Up to `size` rows of the file.

    `staged` holds every row that names an invoice number, valid or not (a rejected row still
    claims its number). `problems` holds the reasons of the rows rejected on their own cells,
    split where a duplicate-number reason belongs. `done`/`total` measure how far the file is read
    (bytes for CSV, rows for XLSX; `total` None when unknown).
    """

    rows: int = 0
    valid: int = 0
    staged: list[StagedRow] = field(default_factory=list)
    problems: dict[int, tuple[str, list[str], list[str]]] = field(default_factory=dict)
    done: int = 0
    total: int | None = None

    def rejections(self, duplicates: dict[int, int]) -> list[RejectedRow]:
        """The chunk's rejected rows, in row order, given `duplicates` (row -> the row that
        first showed its invoice number) as the database found them."""
        numbers = {row[0]: row[1] for row in self.staged} if duplicates else {}
        rejected: list[RejectedRow] = []
        for row in sorted(self.problems.keys() | duplicates.keys()):
            number, head, tail = self.problems.get(row, (numbers.get(row, ""), [], []))
            first = duplicates.get(row)
            reasons = head
            if first is not None:
                reasons = [*head, f"invoice_number: {number!r} already appears on row {first}"]
            reason = "; ".join([*reasons, *tail])
            rejected.append(RejectedRow(row=row, reason=reason, invoice_number=number or None))
        return rejected


class _Rejected(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def invoice_digest(*texts: str) -> str:
    """What an export row says of an invoice, condensed: the same row imported again has the same
    digest, and is then left alone (see `import_stage`)."""
    return hashlib.blake2b("\x1f".join(texts).encode(), digest_size=16).hexdigest()


_TEXT_COLUMNS = frozenset(COLUMNS) - {"amount", "balance", "issue_date", "due_date"}


class RowValidator:
    """Turns the rows of one file into chunks. This is the import's hot loop (it runs for every
    row of files of hundreds of thousands), hence the plain tuples and the fast paths that fall
    back to `normalize` for anything unusual and for every error message."""

    def __init__(self, sheet: Sheet, *, country: str, chunk_size: int) -> None:
        self._sheet = sheet
        self._rows: Iterator[tuple[int, Sequence[Cell]]] = sheet.rows
        self._decimal_comma = sheet.decimal_comma
        self._text_only = sheet.text_only
        self._country = country
        self._chunk_size = chunk_size
        self._customer_details: dict[tuple[str, ...], tuple[Any, ...] | _Rejected] = {}
        # Rows are cut or padded to `width` cells plus one empty cell, where absent columns point.
        self._width = max(sheet.columns.values()) + 1
        self._pad: tuple[Cell, ...] = ("",) * (self._width + 1)
        self._cells = operator.itemgetter(
            *(sheet.columns.get(name, self._width) for name in COLUMNS)
        )
        self._is_text = tuple(name in _TEXT_COLUMNS for name in COLUMNS)

    def next_chunk(self) -> Chunk | None:
        """The next chunk, or None once the file is exhausted. Blocking: call it off the loop."""
        chunk = Chunk(total=self._sheet.total)
        last = 0
        for number, cells in self._rows:
            chunk.rows += 1
            last = number
            self._take(chunk, number, cells)
            if chunk.rows >= self._chunk_size:
                break
        chunk.done = self._sheet.progress(last)
        return chunk if chunk.rows else None

    def _picked(self, cells: Sequence[Cell]) -> tuple[Any, ...]:
        """The row's cells in the order of `COLUMNS`: text stripped, typed XLSX values of the
        amount and date columns kept as they are."""
        width = self._width
        count = len(cells)
        row = [*cells[:width], ""] if count > width else [*cells, *self._pad[: width + 1 - count]]
        picked: tuple[Any, ...] = self._cells(row)
        if self._text_only:
            return tuple(map(str.strip, picked))
        return tuple(
            cell_text(cell) if is_text or cell is None else cell
            for cell, is_text in zip(picked, self._is_text, strict=True)
        )

    def _take(self, chunk: Chunk, number: int, cells: Sequence[Cell]) -> None:
        picked = self._picked(cells)
        invoice_number: str = picked[7]
        head: list[str] = []
        try:
            staged = self._validate(number, picked, head)
        except _Rejected as rejected:
            chunk.problems[number] = (invoice_number, head, rejected.reasons)
            if invoice_number:
                chunk.staged.append((number, invoice_number, False, *_INVALID_TAIL))
            return
        chunk.valid += 1
        chunk.staged.append(staged)

    def _validate(self, number: int, picked: tuple[Any, ...], head: list[str]) -> StagedRow:
        """The staged row; raises `_Rejected` with the reasons that follow a duplicate-number
        reason, `head` receiving those that precede it (reported in that order)."""
        (external_id, name, language, locale, timezone, email, phone, invoice_number) = picked[:8]
        (currency_text, amount_cell, balance_cell, issued_cell, due_cell, po_number) = picked[8:]
        if not (0 < len(external_id) <= 128 and 0 < len(name) <= 300) or not (
            0 < len(invoice_number) <= 128 and len(po_number) <= 128
        ):
            for column, text in zip(COLUMNS[:2], (external_id, name), strict=True):
                self._check_length(head, column, text, required=True)
            self._check_length(head, "invoice_number", invoice_number, required=True)
            self._check_length(head, "po_number", po_number, required=False)
        reasons: list[str] = []
        currency = ""
        try:
            currency = normalize.currency(currency_text)
        except normalize.InvalidField as exc:
            reasons.append(str(exc))
        amount = balance = None
        if currency:
            try:
                amount = self._money(amount_cell, "amount", currency)
            except normalize.InvalidField as exc:
                reasons.append(str(exc))
            try:
                balance = (
                    amount
                    if balance_cell == amount_cell and amount is not None
                    else self._money(balance_cell, "balance", currency)
                )
            except normalize.InvalidField as exc:
                reasons.append(str(exc))
        issued_on = due_on = None
        try:
            issued_on = self._date(issued_cell, "issue_date")
        except normalize.InvalidField as exc:
            reasons.append(str(exc))
        try:
            due_on = self._date(due_cell, "due_date")
        except normalize.InvalidField as exc:
            reasons.append(str(exc))
        if issued_on is not None and due_on is not None and due_on < issued_on:
            reasons.append("due_date: falls before issue_date")
        key = (external_id, name, language, locale, timezone, email, phone)
        customer = self._customer_details.get(key)
        if customer is None:
            customer = self._customer_fields(key)
            if len(self._customer_details) >= _CACHE_LIMIT:
                self._customer_details.clear()
            self._customer_details[key] = customer
        if isinstance(customer, _Rejected):
            raise _Rejected([*reasons, *customer.reasons])
        if head or reasons:
            raise _Rejected(reasons)
        # No reason given: every value is set.
        figures = (amount, balance, issued_on, due_on)
        digest = invoice_digest(external_id, currency, *map(str, figures), po_number)
        return (
            number,
            invoice_number,
            True,
            *customer,
            currency,
            *figures,
            po_number or None,
            digest,
        )

    @staticmethod
    def _check_length(head: list[str], column: str, text: str, *, required: bool) -> None:
        limit = _MAX_LENGTHS[column]
        if len(text) > limit:
            head.append(f"{column}: longer than {limit} characters")
        elif not text and required:
            head.append(f"{column}: missing")

    def _money(self, cell: Cell, column: str, currency: str) -> Decimal:
        if isinstance(cell, str):
            if not cell:
                raise normalize.InvalidField(column, "missing")
            plain = normalize.plain_money(cell, currency)
            if plain is not None:
                return plain
            return normalize.money(
                self._plain_number(cell, column), field=column, currency_code=currency
            )
        if isinstance(cell, bool):
            raise normalize.InvalidField(column, f"not an amount: {cell!r}")
        if isinstance(cell, float):
            # repr() is the shortest text that reads back as the same float: 1234.1 stays 1234.1.
            return normalize.money(repr(cell), field=column, currency_code=currency)
        if isinstance(cell, int | Decimal):
            return normalize.money(cell, field=column, currency_code=currency)
        return self._money(cell_text(cell), column, currency)

    def _plain_number(self, text: str, column: str) -> str:
        """Thousands separators out, a decimal point in: `1.234,50` in a `;` file, `1,234.50`
        otherwise. A comma that is not a thousands separator is refused rather than guessed."""
        if "," not in text:
            return text
        if self._decimal_comma:
            return text.replace(".", "").replace(" ", "").replace(",", ".")
        if not _GROUPED_THOUSANDS.match(text):
            raise normalize.InvalidField(column, f"not an amount: {text!r}")
        return text.replace(",", "")

    @staticmethod
    def _date(cell: Cell, column: str) -> date:
        if isinstance(cell, str):
            if len(cell) == 10 and cell[4] == "-":
                try:
                    return date.fromisoformat(cell)
                except ValueError:
                    pass  # 2024-13-45: normalize says why
            elif not cell:
                raise normalize.InvalidField(column, "missing")
            return normalize.calendar_date(cell, field=column)
        if isinstance(cell, date):
            return normalize.calendar_date(cell, field=column)
        text = cell_text(cell)
        if not text:
            raise normalize.InvalidField(column, "missing")
        return normalize.calendar_date(text, field=column)

    def _customer_fields(self, key: tuple[str, ...]) -> tuple[Any, ...] | _Rejected:
        """(external_id, name, language, locale, timezone, email, phone), normalized."""
        external_id, name, language, locale, timezone, email, phone = key
        values: dict[str, str | None] = {}
        reasons: list[str] = []
        checks = (
            ("language", language, normalize.language),
            ("locale", locale, normalize.locale),
            ("timezone", timezone, normalize.timezone),
            ("email", email, normalize.email),
            ("phone", phone, lambda raw: normalize.phone(raw, self._country)),
        )
        for column, raw, check in checks:
            try:
                values[column] = check(raw) if raw else None
            except normalize.InvalidField as exc:
                reasons.append(str(exc))
        if reasons:
            return _Rejected(reasons)
        if values["language"] is None and values["locale"] is not None:
            values["language"] = normalize.language(values["locale"])
        return (external_id, name, *values.values())


__all__ = ["STAGE_COLUMNS", "Chunk", "RowValidator", "StagedRow", "invoice_digest"]
