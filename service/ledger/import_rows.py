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
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from service.ledger import normalize
from service.ledger.import_files import COLUMNS, Cell, Sheet, cell_text
from service.ledger.schemas import RejectedRow

_MAX_LENGTHS = {"customer_id": 128, "customer_name": 300, "invoice_number": 128, "po_number": 128}
_GROUPED_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_CACHE_LIMIT = 100_000

CustomerValues = dict[str, Any]
InvoiceValues = dict[str, Any]


@dataclass
class Chunk:
    """Up to `size` rows of the file: the customers seen for the first time, the valid invoices
    (each with its customer's external id), and the rejected rows."""

    rows: int = 0
    customers: list[CustomerValues] = field(default_factory=list)
    invoices: list[tuple[str, InvoiceValues]] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


class _Row(NamedTuple):
    """A row's cells in the order of `COLUMNS`; an absent column reads as an empty cell."""

    customer_id: Cell
    customer_name: Cell
    language: Cell
    locale: Cell
    timezone: Cell
    email: Cell
    phone: Cell
    invoice_number: Cell
    currency: Cell
    amount: Cell
    balance: Cell
    issue_date: Cell
    due_date: Cell
    po_number: Cell


class _Rejected(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class RowValidator:
    """Turns the rows of one file into chunks; holds what the file has shown so far."""

    def __init__(self, sheet: Sheet, *, country: str, chunk_size: int) -> None:
        self._rows: Iterator[tuple[int, Sequence[Cell]]] = sheet.rows
        self._decimal_comma = sheet.decimal_comma
        self._country = country
        self._chunk_size = chunk_size
        self._invoice_rows: dict[str, int] = {}
        self._customers: set[str] = set()
        self._customer_details: dict[tuple[str, ...], CustomerValues | _Rejected] = {}
        # Rows are cut or padded to `width` cells plus one empty cell, where absent columns point.
        self._width = max(sheet.columns.values()) + 1
        self._cells = operator.itemgetter(
            *(sheet.columns.get(name, self._width) for name in COLUMNS)
        )

    def next_chunk(self) -> Chunk | None:
        """The next chunk, or None once the file is exhausted. Blocking: call it off the loop."""
        chunk = Chunk()
        for number, cells in self._rows:
            chunk.rows += 1
            self._take(chunk, number, cells)
            if chunk.rows >= self._chunk_size:
                break
        return chunk if chunk.rows else None

    def _take(self, chunk: Chunk, number: int, cells: Sequence[Cell]) -> None:
        padded: list[Cell] = list(cells[: self._width])
        padded.extend([None] * (self._width + 1 - len(padded)))
        row = _Row(*self._cells(padded))
        invoice_number = cell_text(row.invoice_number)
        try:
            customer, invoice = self._validate(number, row, invoice_number)
        except _Rejected as rejected:
            chunk.rejected.append(
                RejectedRow(row=number, reason=str(rejected), invoice_number=invoice_number or None)
            )
            return
        external_id = customer["external_id"]
        if external_id not in self._customers:
            self._customers.add(external_id)
            chunk.customers.append(customer)
        chunk.invoices.append((external_id, invoice))

    def _validate(
        self, number: int, row: _Row, invoice_number: str
    ) -> tuple[CustomerValues, InvoiceValues]:
        reasons: list[str] = []
        texts = {
            "customer_id": cell_text(row.customer_id),
            "customer_name": cell_text(row.customer_name),
            "invoice_number": invoice_number,
            "po_number": cell_text(row.po_number),
        }
        for column, limit in _MAX_LENGTHS.items():
            if len(texts[column]) > limit:
                reasons.append(f"{column}: longer than {limit} characters")
            elif not texts[column] and column != "po_number":
                reasons.append(f"{column}: missing")
        if invoice_number:
            first = self._invoice_rows.setdefault(invoice_number, number)
            if first != number:
                reasons.append(f"invoice_number: {invoice_number!r} already appears on row {first}")
        invoice = self._invoice(row, reasons)
        customer = self._customer(row, texts["customer_id"], texts["customer_name"], reasons)
        if reasons or customer is None or invoice is None:
            raise _Rejected(reasons)
        invoice["number"] = invoice_number
        invoice["po_number"] = texts["po_number"] or None
        return customer, invoice

    def _invoice(self, row: _Row, reasons: list[str]) -> InvoiceValues | None:
        before = len(reasons)
        currency = ""
        try:
            currency = normalize.currency(cell_text(row.currency))
        except normalize.InvalidField as exc:
            reasons.append(str(exc))
        amount = balance = None
        if currency:
            try:
                amount = self._money(row.amount, "amount", currency)
            except normalize.InvalidField as exc:
                reasons.append(str(exc))
            try:
                balance = (
                    amount
                    if row.balance == row.amount and amount is not None
                    else self._money(row.balance, "balance", currency)
                )
            except normalize.InvalidField as exc:
                reasons.append(str(exc))
        issued_on = due_on = None
        try:
            issued_on = self._date(row.issue_date, "issue_date")
        except normalize.InvalidField as exc:
            reasons.append(str(exc))
        try:
            due_on = self._date(row.due_date, "due_date")
        except normalize.InvalidField as exc:
            reasons.append(str(exc))
        if issued_on is not None and due_on is not None and due_on < issued_on:
            reasons.append("due_date: falls before issue_date")
        if len(reasons) > before:
            return None
        return {
            "currency": currency,
            "amount": amount,
            "balance": balance,
            "issued_on": issued_on,
            "due_on": due_on,
        }

    def _money(self, cell: Cell, column: str, currency: str) -> Decimal:
        if isinstance(cell, bool):
            raise normalize.InvalidField(column, f"not an amount: {cell!r}")
        if isinstance(cell, float):
            # repr() is the shortest text that reads back as the same float: 1234.1 stays 1234.1.
            return normalize.money(repr(cell), field=column, currency_code=currency)
        if isinstance(cell, int | Decimal):
            return normalize.money(cell, field=column, currency_code=currency)
        text = cell_text(cell)
        if not text:
            raise normalize.InvalidField(column, "missing")
        plain = self._plain_number(text, column)
        return normalize.money(plain, field=column, currency_code=currency)

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
        if isinstance(cell, date):
            return normalize.calendar_date(cell, field=column)
        text = cell_text(cell)
        if not text:
            raise normalize.InvalidField(column, "missing")
        return normalize.calendar_date(text, field=column)

    def _customer(
        self, row: _Row, external_id: str, name: str, reasons: list[str]
    ) -> CustomerValues | None:
        key = (
            external_id,
            name,
            cell_text(row.language),
            cell_text(row.locale),
            cell_text(row.timezone),
            cell_text(row.email),
            cell_text(row.phone),
        )
        details = self._customer_details.get(key)
        if details is None:
            details = self._customer_fields(key)
            if len(self._customer_details) >= _CACHE_LIMIT:
                self._customer_details.clear()
            self._customer_details[key] = details
        if isinstance(details, _Rejected):
            reasons.extend(details.reasons)
            return None
        return details

    def _customer_fields(self, key: tuple[str, ...]) -> CustomerValues | _Rejected:
        external_id, name, language, locale, timezone, email, phone = key
        values: CustomerValues = {"external_id": external_id, "name": name}
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
        return values


__all__ = ["Chunk", "CustomerValues", "InvoiceValues", "RowValidator"]
