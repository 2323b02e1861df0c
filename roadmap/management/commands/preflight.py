"""`manage.py preflight [--create-database]`: check that PostgreSQL and Redis are reachable
before running or testing Waymark, and say in one message what to start if they are not."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql

CONNECT_TIMEOUT_SECONDS = 2
MAINTENANCE_DATABASE = "postgres"


class Command(BaseCommand):
    help = "Check that PostgreSQL and Redis are reachable; optionally create the database."
    # The system checks are not what this command is about, and some may need the database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--create-database",
            action="store_true",
            help="Create the database named in DATABASE_URL if it does not exist yet.",
        )

    def run_from_argv(self, argv) -> None:
        self._from_command_line = True
        super().run_from_argv(argv)

    def handle(self, *args, create_database: bool = False, **options) -> None:
        problems = [
            problem
            for problem in (check_postgres(create_database=create_database), check_redis())
            if problem
        ]
        if problems:
            message = "\n".join(problems)
            if getattr(self, "_from_command_line", False):
                # Plain text on stderr, without Django's "CommandError:" prefix.
                self.stderr.write(self.style.ERROR(message))
                sys.exit(1)
            raise CommandError(message, returncode=1)
        self.stdout.write(self.style.SUCCESS("PostgreSQL ok · Redis ok"))


def _source(variable: str) -> str:
    return f"from {variable}" if os.environ.get(variable) else f"the default; set {variable} to change it"


def _postgres_start_hint() -> str:
    clusters = Path("/etc/postgresql")
    versions = sorted(p.name for p in clusters.iterdir()) if clusters.is_dir() else []
    if versions:
        return f"`pg_ctlcluster {versions[-1]} main start`"
    return "`sudo systemctl start postgresql`"


def _connection_kwargs(database: dict, name: str) -> dict:
    kwargs = {
        "dbname": name,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    }
    return {key: value for key, value in kwargs.items() if value is not None}


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # libpq repeats the attempt per address; the last line is the actual reason.
    return lines[-1] if lines else exc.__class__.__name__


def _unreachable(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(
        phrase in text
        for phrase in (
            "connection refused",
            "could not connect",
            "could not translate host name",
            "timeout expired",
            "no route to host",
            "network is unreachable",
            "no such file or directory",  # a Unix socket that is not there
        )
    )


def check_postgres(*, create_database: bool) -> str | None:
    """Connect to the configured database (creating it first if asked). Returns a problem or None."""
    database = settings.DATABASES["default"]
    name = database["NAME"]
    host = database.get("HOST") or "the local socket"
    where = f"{host}:{database.get('PORT') or 5432}" if database.get("HOST") else host
    source = _source("DATABASE_URL")

    def explain(exc: Exception) -> str:
        if _unreachable(exc):
            return (
                f"PostgreSQL is not reachable at {where} ({source}). "
                f"Start it, e.g. {_postgres_start_hint()}, "
                "or point DATABASE_URL at a running server."
            )
        return (
            f"PostgreSQL at {where} answered with an error ({source}): {_first_line(exc)}. "
            "Check the user, password and database name in DATABASE_URL."
        )

    if create_database:
        try:
            _create_database_if_missing(database, name)
        except psycopg2.Error as exc:
            return explain(exc)

    try:
        connection = psycopg2.connect(**_connection_kwargs(database, name))
    except psycopg2.OperationalError as exc:
        if "does not exist" in str(exc) and f'"{name}"' in str(exc):
            return (
                f'PostgreSQL at {where} is running, but the database "{name}" does not exist '
                f"({source}). Create it with `python manage.py preflight --create-database` "
                f"(`make run` does this) or `createdb {name}`."
            )
        return explain(exc)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except psycopg2.Error as exc:
        return explain(exc)
    finally:
        connection.close()
    return None


def _create_database_if_missing(database: dict, name: str) -> None:
    connection = psycopg2.connect(**_connection_kwargs(database, MAINTENANCE_DATABASE))
    # CREATE DATABASE cannot run inside a transaction block.
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def check_redis() -> str | None:
    """Ping Redis at settings.REDIS_URL. Returns a problem or None."""
    url = settings.REDIS_URL
    parts = urlsplit(url)
    where = f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
    source = _source("REDIS_URL")
    client = redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=CONNECT_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.AuthenticationError as exc:
        return f"Redis at {where} refused the password ({source}): {exc}. Check REDIS_URL."
    except (redis.ConnectionError, redis.TimeoutError):
        return (
            f"Redis is not reachable at {where} ({source}). "
            "Start it, e.g. `sudo systemctl start redis-server` or `redis-server --daemonize yes`, "
            "or point REDIS_URL at a running server."
        )
    except redis.RedisError as exc:
        return f"Redis at {where} answered with an error ({source}): {exc}. Check REDIS_URL."
    finally:
        client.close()
    return None
