"""roadmap.warmup: a web worker compiles Waymark's templates and loads its URLs before its first
request, and a worker that cannot reach its services still starts."""

import pytest
from django.db import connection
from django.template import engines

from roadmap import warmup


def test_every_template_of_the_project_is_compiled_and_none_of_the_packages():
    engine = engines["django"]
    names = warmup.project_template_names(engine)

    assert "base.html" in names and "releases/board.html" in names
    assert not any(name.startswith(("admin/", "rest_framework/", "drf_spectacular/")) for name in names)
    assert warmup.warm_up() == len(names)


def test_a_worker_whose_database_does_not_answer_warms_up_all_the_same(monkeypatch):
    def refuse():
        raise OSError("no database")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    assert warmup.warm_up() > 0


@pytest.mark.parametrize("name", ["strategy/product_detail.html", "components/icon.html"])
def test_the_templates_pages_use_are_among_them(name):
    assert name in warmup.project_template_names(engines["django"])
