"""Fractional ranks: pure, no database."""

import random

import pytest

from releases.ranking import DIGITS, REBALANCE_LENGTH, needs_rebalance, rank_between, spread


def assert_well_formed(ranks):
    assert all(a < b for a, b in zip(ranks, ranks[1:])), ranks
    assert all(rank and set(rank) <= set(DIGITS) and not rank.endswith("0") for rank in ranks), ranks


# --- rank_between -----------------------------------------------------------


def test_the_first_rank_of_an_empty_list_is_the_middle_digit():
    assert rank_between(None, None) == "V"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(None, "V", id="top-of-the-list"),
        pytest.param("V", None, id="bottom-of-the-list"),
        pytest.param("1", None, id="bottom-after-a-small-rank"),
        pytest.param(None, "1", id="top-before-the-smallest-digit-but-one"),
        pytest.param(None, "01", id="top-before-a-rank-starting-with-zero"),
        pytest.param("z", None, id="bottom-after-the-largest-digit"),
        pytest.param("zzz", None, id="bottom-after-a-run-of-largest-digits"),
        pytest.param("A", "Z", id="between-distant-neighbours"),
        pytest.param("A", "B", id="between-adjacent-digits"),
        pytest.param("A", "B1", id="adjacent-first-digits-longer-after"),
        pytest.param("Az", "B", id="adjacent-first-digits-longer-before"),
        pytest.param("V", "V0V", id="after-extends-before-with-zeros"),
        pytest.param("ABC", "ABD", id="shared-prefix-then-adjacent"),
        pytest.param("y", "z", id="the-last-two-digits"),
        pytest.param("0V", "1", id="before-starts-with-the-smallest-digit"),
    ],
)
def test_a_rank_falls_strictly_between_its_neighbours(before, after):
    rank = rank_between(before, after)
    assert_well_formed([r for r in (before, rank, after) if r is not None])


def test_between_adjacent_digits_the_rank_grows_by_one_digit():
    assert rank_between("A", "B") == "AV"


def test_a_short_rank_is_preferred_when_there_is_room():
    assert len(rank_between("A", "Z")) == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("V", "V", id="equal"),
        pytest.param("W", "V", id="reversed"),
        pytest.param("V1", "V", id="longer-before"),
        pytest.param("", "", id="empty-after"),
    ],
)
def test_neighbours_out_of_order_are_refused(before, after):
    with pytest.raises(ValueError):
        rank_between(before, after)


@pytest.mark.parametrize("where", ["front", "back", "same-gap-low", "same-gap-high"])
def test_long_runs_of_inserts_at_one_place_keep_the_order(where):
    ranks = [rank_between(None, None)]
    ranks.append(rank_between(ranks[-1], None))
    for _ in range(500):
        if where == "front":
            ranks.insert(0, rank_between(None, ranks[0]))
        elif where == "back":
            ranks.append(rank_between(ranks[-1], None))
        elif where == "same-gap-low":  # always right after the first one
            ranks.insert(1, rank_between(ranks[0], ranks[1]))
        else:  # always right before the last one
            ranks.insert(len(ranks) - 1, rank_between(ranks[-2], ranks[-1]))
        assert_well_formed(ranks)


@pytest.mark.parametrize("seed", range(5))
def test_random_inserts_always_keep_the_order(seed):
    rng = random.Random(seed)
    ranks: list[str] = []
    for _ in range(1000):
        position = rng.randint(0, len(ranks))
        before = ranks[position - 1] if position > 0 else None
        after = ranks[position] if position < len(ranks) else None
        ranks.insert(position, rank_between(before, after))
    assert_well_formed(ranks)
    assert len(set(ranks)) == 1000


def test_random_inserts_between_spread_ranks_keep_the_order():
    rng = random.Random(42)
    ranks = spread(100)
    for _ in range(500):
        position = rng.randint(0, len(ranks))
        before = ranks[position - 1] if position > 0 else None
        after = ranks[position] if position < len(ranks) else None
        ranks.insert(position, rank_between(before, after))
    assert_well_formed(ranks)


def test_ranks_sort_the_same_as_bytes_and_as_python_strings():
    ranks = [rank_between(None, None)]
    for _ in range(50):
        ranks.insert(1, rank_between(ranks[0], ranks[1] if len(ranks) > 1 else None))
    assert sorted(ranks) == sorted(ranks, key=lambda r: r.encode("ascii"))
    assert "".join(sorted(DIGITS)) == DIGITS


# --- spread -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "longest"),
    [
        pytest.param(1, 1, id="one"),
        pytest.param(61, 1, id="sixty-one-fit-in-one-digit"),
        pytest.param(62, 2, id="sixty-two-need-two-digits"),
        pytest.param(2_000, 2, id="two-thousand"),
        pytest.param(100_000, 3, id="a-hundred-thousand"),
    ],
)
def test_spread_gives_ascending_unique_short_ranks(count, longest):
    ranks = spread(count)
    assert len(ranks) == count
    assert_well_formed(ranks)
    assert len(set(ranks)) == count
    assert max(len(rank) for rank in ranks) == longest


def test_spread_leaves_room_before_the_first_and_after_the_last():
    ranks = spread(61)
    assert rank_between(None, ranks[0]) < ranks[0]
    assert rank_between(ranks[-1], None) > ranks[-1]


def test_spread_of_nothing_is_empty():
    assert spread(0) == []


# --- needs_rebalance --------------------------------------------------------


def test_a_rank_needs_rebalancing_only_when_longer_than_the_limit():
    assert not needs_rebalance("V")
    assert not needs_rebalance("V" * REBALANCE_LENGTH)
    assert needs_rebalance("V" * (REBALANCE_LENGTH + 1))


def test_repeated_inserts_into_one_gap_eventually_ask_for_rebalancing():
    low, high = "A", "B"
    for _ in range(200):
        high = rank_between(low, high)
        if needs_rebalance(high):
            break
    assert needs_rebalance(high)
