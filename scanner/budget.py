"""The whole scan's time budget (`--time-budget`): crawl, TLS, statement, probes and reports.

Each stage runs under what is left of it. When it runs out, the stage stops, what was gathered so
far is kept, and the scan is incomplete (exit 3) with the stage named.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class BudgetExceeded(Exception):
    """The time budget ran out during `stage`."""

    def __init__(self, budget_s: float, stage: str) -> None:
        super().__init__(f"time budget ({budget_s:g} s) used up during {stage}")
        self.stage = stage


class Deadline:
    """When the scan must end (None: never)."""

    def __init__(self, budget_s: float | None) -> None:
        self.budget_s = budget_s
        self._end = None if budget_s is None else time.monotonic() + budget_s

    def remaining(self) -> float | None:
        """Seconds left (never below 0), or None without a budget."""
        return None if self._end is None else max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        """True once the budget is used up."""
        left = self.remaining()
        return left is not None and left <= 0

    async def run(self, stage: str, awaitable: Awaitable[T]) -> T:
        """Await a stage within what is left; raise BudgetExceeded (the stage cancelled) when
        the budget runs out."""
        left = self.remaining()
        try:
            return await asyncio.wait_for(awaitable, timeout=left)
        except TimeoutError:
            if self.budget_s is None or not self.expired():
                raise  # a timeout of the stage's own, not the budget's
            raise BudgetExceeded(self.budget_s, stage) from None
