"""The gathering of callers into batches that webhook intake and inbound rounds share."""

from __future__ import annotations

import asyncio

import pytest

from service.batching import Gatherer


async def test_callers_of_one_turn_share_a_batch_and_later_ones_form_the_next() -> None:
    batches: list[list[str]] = []

    async def run(items: list[str]) -> list[str | Exception]:
        batches.append(items)
        await asyncio.sleep(0.01)
        return [item.upper() for item in items]

    gatherer: Gatherer[str, str] = Gatherer(run, max_size=3)
    first = [asyncio.create_task(gatherer.submit(item)) for item in "abcd"]
    await asyncio.sleep(0.001)  # the first batch is running
    later = [asyncio.create_task(gatherer.submit(item)) for item in "ef"]

    assert await asyncio.gather(*first, *later) == ["A", "B", "C", "D", "E", "F"]
    assert batches == [["a", "b", "c"], ["d", "e", "f"]]


async def test_an_item_larger_than_a_batch_goes_alone_and_an_item_error_is_its_callers_only() -> (
    None
):
    batches: list[list[list[int]]] = []

    async def run(items: list[list[int]]) -> list[int | Exception]:
        batches.append(items)
        return [ValueError("empty") if not item else sum(item) for item in items]

    gatherer: Gatherer[list[int], int] = Gatherer(run, max_size=4, size=len)
    results = await asyncio.gather(
        gatherer.submit([1, 2, 3, 4, 5]),
        gatherer.submit([]),
        gatherer.submit([6]),
        return_exceptions=True,
    )

    assert results[0] == 15
    assert results[2] == 6
    assert isinstance(results[1], ValueError)
    assert batches == [[[1, 2, 3, 4, 5]], [[], [6]]]


async def test_a_failing_batch_fails_each_of_its_callers() -> None:
    async def run(items: list[int]) -> list[int | Exception]:
        raise RuntimeError("database down")

    gatherer: Gatherer[int, int] = Gatherer(run, max_size=10)
    results = await asyncio.gather(*(gatherer.submit(n) for n in range(3)), return_exceptions=True)

    assert [type(result) for result in results] == [RuntimeError] * 3
    with pytest.raises(RuntimeError, match="database down"):
        await gatherer.submit(7)
