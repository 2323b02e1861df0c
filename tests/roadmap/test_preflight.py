"""`manage.py preflight` against the real services, and against ports where nothing listens."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = 1


def preflight(*args: str, **variables: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **variables, "DJANGO_SETTINGS_MODULE": "roadmap.settings.base"}
    return subprocess.run(
        [sys.executable, "manage.py", "preflight", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _server() -> dict:
    database = settings.DATABASES["default"]
    return {
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
        "host": database["HOST"] or None,
        "port": database["PORT"] or None,
    }


def _database_url(name: str, port=None) -> str:
    """The test server's URL for database `name`; with `port`, a TCP port on 127.0.0.1 instead."""
    server = _server()
    credentials = server["user"] or ""
    if server["password"]:
        credentials += f":{server['password']}"
    host = server["host"] or "127.0.0.1"
    if port is None and host.startswith("/"):  # the embedded cluster's socket folder
        return f"postgres://{credentials}@/{quote(host, safe='')}/{name}"
    if host.startswith("/"):
        host = "127.0.0.1"
    return f"postgres://{credentials}@{host}:{port or server['port'] or 5432}/{name}"


def _maintenance_connection():
    connection = psycopg2.connect(dbname="postgres", **{k: v for k, v in _server().items() if v})
    connection.autocommit = True
    return connection


def _database_exists(name: str) -> bool:
    connection = _maintenance_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


@pytest.fixture
def fresh_database_name():
    name = f"waymark_preflight_{uuid.uuid4().hex[:12]}"
    yield name
    connection = _maintenance_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def test_preflight_passes_with_the_real_services():
    result = preflight()

    assert result.returncode == 0, result.stderr
    assert "PostgreSQL ok · Redis ok" in result.stdout


def test_preflight_names_postgresql_when_nothing_listens_on_its_port():
    result = preflight(DATABASE_URL=_database_url("waymark", port=CLOSED_PORT))

    assert result.returncode == 1
    assert "PostgreSQL is not reachable at 127.0.0.1:1" in result.stderr
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_preflight_names_the_socket_folder_of_a_socket_url(tmp_path):
    url = f"postgres://postgres@/{quote(str(tmp_path), safe='')}/waymark"

    result = preflight(DATABASE_URL=url)

    assert result.returncode == 1
    assert f"PostgreSQL is not reachable at the socket in {tmp_path} (from DATABASE_URL)" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_preflight_says_make_run_starts_the_embedded_postgresql_when_it_is_down(tmp_path):
    url = f"postgres://postgres@/{quote(str(tmp_path / 'var' / 'postgres'), safe='')}/waymark"

    result = preflight(DATABASE_URL=url)

    assert result.returncode == 1
    assert "`make run`, which starts the embedded one in var/postgres" in result.stderr


def test_preflight_names_redis_when_nothing_listens_on_its_port():
    result = preflight(REDIS_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0")

    assert result.returncode == 1
    assert "Redis is not reachable at 127.0.0.1:1" in result.stderr
    assert "REDIS_URL" in result.stderr
    assert "PostgreSQL" not in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_preflight_reports_both_services_in_one_message_when_both_are_down():
    result = preflight(
        DATABASE_URL=_database_url("waymark", port=CLOSED_PORT), REDIS_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0"
    )

    assert result.returncode == 1
    assert "PostgreSQL is not reachable" in result.stderr
    assert "Redis is not reachable" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_preflight_only_notes_a_missing_database_without_create_database(fresh_database_name):
    result = preflight(DATABASE_URL=_database_url(fresh_database_name))

    assert result.returncode == 0, result.stderr
    assert f'"{fresh_database_name}" does not exist yet' in result.stdout
    assert not _database_exists(fresh_database_name)


def test_preflight_creates_a_missing_database_when_asked(fresh_database_name):
    result = preflight("--create-database", DATABASE_URL=_database_url(fresh_database_name))

    assert result.returncode == 0, result.stderr
    assert "PostgreSQL ok · Redis ok" in result.stdout
    assert _database_exists(fresh_database_name)


def test_preflight_create_database_leaves_an_existing_database_alone(fresh_database_name):
    url = _database_url(fresh_database_name)
    preflight("--create-database", DATABASE_URL=url)

    result = preflight("--create-database", DATABASE_URL=url)

    assert result.returncode == 0, result.stderr
    assert "does not exist" not in result.stdout
