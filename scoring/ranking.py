"""Competition ranking ("1224"): tied units share a rank and the next rank is skipped.

The 2022 national DTI table lists ranks 15, 15, 17 — the rule every DTI publication follows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")


def competition_ranks(items: Sequence[T], key: Callable[[T], Decimal]) -> list[tuple[T, int]]:
    """Order items by descending key and give each its rank; equal keys share a rank.

    The order among tied items is the input order, so callers pass items pre-sorted by a stable
    tie-break (the unit code) to get a deterministic listing.
    """
    keyed = sorted(((key(item), n, item) for n, item in enumerate(items)), key=lambda t: (-t[0], t[1]))
    ranked: list[tuple[T, int]] = []
    previous: Decimal | None = None
    rank = 0
    for position, (k, _, item) in enumerate(keyed, 1):
        if k != previous:
            rank, previous = position, k
        ranked.append((item, rank))
    return ranked


def rank_of(key: Decimal, others: Sequence[Decimal]) -> int:
    """The rank a key would take among others: one more than the number strictly above it."""
    return 1 + sum(1 for other in others if other > key)
