"""gunicorn.conf.py: garbage is collected between requests, the older generations now and then."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

CONF = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))


def test_each_request_is_followed_by_a_young_collection_and_now_and_then_an_older_or_full_one(monkeypatch):
    collected = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation))
    for served in range(1, CONF["FULL_EVERY"] + 1):
        CONF["post_request"](SimpleNamespace(nr=served), None, {}, None)

    assert len(collected) == CONF["FULL_EVERY"]
    assert collected.count(2) == 1 and collected[-1] == 2
    assert collected.count(1) == CONF["FULL_EVERY"] // CONF["OLDER_EVERY"] - 1
    assert collected[CONF["OLDER_EVERY"] - 1] == 1 and collected[0] == 0
