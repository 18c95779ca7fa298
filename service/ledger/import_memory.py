"""What a file has shown so far, for the rules that span it (an invoice number appears once; a
customer's details come from its first valid row): in memory up to a limit, in the database past
it, so a file of any length is imported in bounded memory.

In memory, each chunk is settled in Python before it is staged (repeats found, the rows that
carry a customer's details marked), which spares the database three statements per chunk. Past
`limit` entries, what was seen moves to the import's temporary tables and the database settles
every later chunk (see `import_stage`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.ledger.import_rows import Chunk

MEMORY_LIMIT = 300_000
"""Invoice numbers and customers held in memory at most, some 60 MB: an export of 250,000 rows
is settled in memory, a longer one moves to the database once it has shown that many."""


@dataclass(frozen=True)
class Settled:
    """A chunk ready for the stage: `rows` are its staged rows with `customer_first` appended.

    `in_memory` says the chunk was settled here: `rows` holds only accepted rows, `duplicates`
    (row -> the row that first showed its number) is complete, and `customer_first` marks the
    rows whose customer details are written. Otherwise the database settles the chunk. `spilled`
    is what was seen so far, to move to the database with this chunk (once).
    """

    rows: list[tuple[Any, ...]]
    in_memory: bool
    duplicates: dict[int, int] = field(default_factory=dict)
    spilled: tuple[list[tuple[str, int]], list[tuple[str]]] | None = None


class FileMemory:
    def __init__(self, limit: int = MEMORY_LIMIT) -> None:
        self._limit = limit
        self._numbers: dict[str, int] | None = {}
        self._customers: set[str] | None = set()

    def settle(self, chunk: Chunk) -> Settled:
        numbers, customers = self._numbers, self._customers
        if numbers is None or customers is None:
            return Settled(rows=[(*staged, None) for staged in chunk.staged], in_memory=False)
        rows: list[tuple[Any, ...]] = []
        duplicates: dict[int, int] = {}
        for staged in chunk.staged:
            row, number, valid = staged[0], staged[1], staged[2]
            first = numbers.setdefault(number, row)
            if first != row:
                duplicates[row] = first
            elif valid:
                external_id = staged[3]
                fresh = external_id not in customers
                if fresh:
                    customers.add(external_id)
                rows.append((*staged, fresh))
        spilled = None
        if len(numbers) + len(customers) > self._limit:
            spilled = (list(numbers.items()), [(external_id,) for external_id in customers])
            self._numbers = self._customers = None
        return Settled(rows=rows, in_memory=True, duplicates=duplicates, spilled=spilled)


__all__ = ["MEMORY_LIMIT", "FileMemory", "Settled"]
