"""What every benchmark prints: figures against targets, PASS or FAIL, and small timing helpers."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Check:
    """One measured figure against its target."""

    scenario: str
    figure: str
    target: str
    passed: bool


def timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def p95(values: list[float]) -> float:
    """Nearest rank: of 30 values, the 29th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(checks: list[Check]) -> None:
    """The checks as a table, one line each."""
    scenario = max(len("scenario"), *(len(c.scenario) for c in checks))
    width = max(len(c.figure) for c in checks)
    target = max(len(c.target) for c in checks)
    print(f"{'scenario':<{scenario}} {'figure':<{width}}  {'target':<{target}}  result")
    for c in checks:
        print(f"{c.scenario:<{scenario}} {c.figure:<{width}}  {c.target:<{target}}  {'PASS' if c.passed else 'FAIL'}")
