"""Fractional ranks for the backlog's manual order, pure.

A rank is a string of base-62 digits read as a fraction (0.xyz…); features sort by it with
byte ordering (the column uses the "C" collation). Moving a feature between two neighbours
gives it a rank strictly between theirs, so a move rewrites one row however long the
backlog is. Ranks never end in the smallest digit, so there is always room between two.
When repeated moves into the same gap make a rank long, `spread` hands out fresh, short,
evenly spaced ranks to the whole list (the occasional rebalancing)."""

from __future__ import annotations

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
REBALANCE_LENGTH = 24


def rank_between(before: str | None, after: str | None) -> str:
    """A rank greater than `before` and smaller than `after`; None means open-ended.
    Raises ValueError when `before` is not smaller than `after`."""
    low = before or ""
    if after is not None and low >= after:
        raise ValueError(f"{before!r} is not before {after!r}")
    return _midpoint(low, after)


def _midpoint(low: str, high: str | None) -> str:
    # Skip the shared prefix (treating a missing digit of `low` as 0).
    if high is not None:
        n = 0
        while n < len(high) and (low[n] if n < len(low) else DIGITS[0]) == high[n]:
            n += 1
        if n:
            return high[:n] + _midpoint(low[n:], high[n:])
    digit_low = DIGITS.index(low[0]) if low else 0
    digit_high = DIGITS.index(high[0]) if high else BASE
    if digit_high - digit_low > 1:
        return DIGITS[(digit_low + digit_high) // 2]
    # Adjacent first digits: keep low's digit and look further right.
    if high is not None and len(high) > 1:
        return high[0]
    return DIGITS[digit_low] + _midpoint(low[1:], None)


def spread(count: int) -> list[str]:
    """`count` ascending ranks, evenly spaced and as short as possible."""
    width = 1
    while BASE**width <= count:
        width += 1
    step = BASE**width // (count + 1)
    ranks = []
    for i in range(1, count + 1):
        value, digits = step * i, []
        for _ in range(width):
            value, digit = divmod(value, BASE)
            digits.append(DIGITS[digit])
        rank = "".join(reversed(digits)).rstrip(DIGITS[0])
        ranks.append(rank)
    return ranks


def ranks_after(before: str | None, count: int) -> list[str]:
    """`count` ascending ranks after `before` (None: from the start), as short as `spread`'s
    behind one new leading step, for adding many features at the bottom at once."""
    base = rank_between(before, None)
    return [base + suffix for suffix in spread(count)]


def needs_rebalance(rank: str) -> bool:
    return len(rank) > REBALANCE_LENGTH
