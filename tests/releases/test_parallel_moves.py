"""Backlog moves made at the same time, each in its own thread with its own PostgreSQL
connection: however they interleave, every feature ends with a rank of its own."""

import random
import threading

import pytest
from django.db import connection

from releases import services
from releases.models import Feature

pytestmark = pytest.mark.django_db(transaction=True)


def _in_parallel(moves) -> list[Exception]:
    """Run every (feature, after, before) move at once; the errors they raised."""
    start = threading.Barrier(len(moves))
    errors = []

    def move(actor, feature, after, before):
        try:
            start.wait()
            services.feature_move(actor=actor, feature=feature, after=after, before=before)
        except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=m) for m in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _backlog(editor, product, count):
    return [services.feature_create(actor=editor, product=product, title=f"F{i}") for i in range(count)]


def test_drops_into_the_same_gap_at_once_all_land_there_with_distinct_ranks(editor, product, workflow):
    features = _backlog(editor, product, 12)
    first, second, movers = features[0], features[1], features[2:]

    errors = _in_parallel([(editor, f, first, second) for f in movers])

    ranks = list(Feature.objects.filter(product=product).order_by("rank").values_list("rank", flat=True))
    order = list(Feature.objects.filter(product=product).order_by("rank").values_list("pk", flat=True))
    assert not errors
    assert len(set(ranks)) == len(ranks) == 12
    assert order[0] == first.pk and order[-1] == second.pk  # all ten went between the two


def test_fifty_parallel_moves_with_neighbours_read_beforehand_leave_distinct_ranks(editor, product, workflow):
    features = _backlog(editor, product, 38)
    rng = random.Random(8)
    moves = []
    for _ in range(50):
        gap = rng.randrange(len(features) - 1)
        after, before = features[gap], features[gap + 1]
        moved = rng.choice([f for f in features if f not in (after, before)])
        moves.append((editor, moved, after, before))

    errors = _in_parallel(moves)

    ranks = list(Feature.objects.filter(product=product).values_list("rank", flat=True))
    assert not errors
    assert len(set(ranks)) == len(ranks) == 38
