"""`manage.py preflight [--create-database]`: check that PostgreSQL and Redis are reachable
before running or testing Waymark, and say in one message what to start if they are not.

`make run`, `make test` and `make bench` first choose the services (scripts/services.py: the
configured URL, else the machine's servers, else embedded ones in var/), then run this check
on what was chosen.

A missing database is not a failure without --create-database: the test run creates its
own database, and `make run` passes --create-database."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql

CONNECT_TIMEOUT_SECONDS = 2
MAINTENANCE_DATABASE = "postgres"


@dataclass
class Outcome:
    problem: str | None = None
    note: str | None = None


class Command(BaseCommand):
    help = "Check that PostgreSQL and Redis are reachable; optionally create the database."
    # System checks are not what this command is about, and some of them need the database.
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
        outcomes = [check_postgres(create_database=create_database), check_redis()]
        problems = [outcome.problem for outcome in outcomes if outcome.problem]
        if problems:
            message = "\n".join(problems)
            if getattr(self, "_from_command_line", False):
                # Just the message on stderr, without Django's "CommandError:" prefix.
                self.stderr.write(self.style.ERROR(message))
                sys.exit(1)
            raise CommandError(message, returncode=1)
        self.stdout.write(self.style.SUCCESS("PostgreSQL ok · Redis ok"))
        for outcome in outcomes:
            if outcome.note:
                self.stdout.write(outcome.note)


def _source(variable: str) -> str:
    if os.environ.get(variable):
        return f"from {variable}"
    return f"the default; set {variable} to change it"


def _postgres_start_hint(host: str) -> str:
    # The embedded cluster's socket folder (scripts/services.py), of this or another checkout.
    if host and Path(host).parts[-2:] == ("var", "postgres"):
        return "`make run`, which starts the embedded one in var/postgres"
    clusters = Path("/etc/postgresql")
    versions = sorted(p.name for p in clusters.iterdir()) if clusters.is_dir() else []
    if versions:
        return f"`pg_ctlcluster {versions[-1]} main start`"
    return "`sudo systemctl start postgresql`"


def _postgres_where(database: dict) -> str:
    host = database.get("HOST")
    if not host:
        return "the local socket"
    if host.startswith("/"):
        return f"the socket in {host}"
    return f"{host}:{database.get('PORT') or 5432}"


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


def _reason(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return exc.__class__.__name__
    # libpq reports one attempt per address; the last line carries the reason.
    return lines[-1].rpartition("FATAL:")[2].strip()


def _unreachable(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(
        phrase in text
        for phrase in (
            "connection refused",
            "could not translate host name",
            "timeout expired",
            "no route to host",
            "network is unreachable",
            "no such file or directory",  # a Unix socket that is not there
        )
    )


def _missing_database(exc: Exception, name: str) -> bool:
    return f'database "{name}" does not exist' in str(exc)


def check_postgres(*, create_database: bool) -> Outcome:
    """Connect to the configured database, creating it first if asked."""
    database = settings.DATABASES["default"]
    name = database["NAME"]
    where = _postgres_where(database)
    source = _source("DATABASE_URL")

    def failure(exc: Exception) -> Outcome:
        if _unreachable(exc):
            return Outcome(
                problem=f"PostgreSQL is not reachable at {where} ({source}). "
                f"Start it, e.g. {_postgres_start_hint(database.get('HOST') or '')}, "
                "or point DATABASE_URL at a running server, or leave DATABASE_URL unset so that "
                "`make run` uses the one on 127.0.0.1:5432 or starts an embedded one."
            )
        return Outcome(
            problem=f"PostgreSQL at {where} refused the connection ({source}): {_reason(exc)}. "
            "Check the user, password and database name in DATABASE_URL."
        )

    try:
        if create_database:
            _create_database_if_missing(database, name)
        connection = psycopg2.connect(**_connection_kwargs(database, name))
    except psycopg2.Error as exc:
        if not _missing_database(exc, name):
            return failure(exc)
        # The server is up (it answered); make sure the credentials work on it.
        try:
            psycopg2.connect(**_connection_kwargs(database, MAINTENANCE_DATABASE)).close()
        except psycopg2.Error:
            return failure(exc)
        return Outcome(
            note=f'The database "{name}" does not exist yet at {where}; '
            "`python manage.py preflight --create-database` (run by `make run`) creates it."
        )
    connection.close()
    return Outcome()


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


def check_redis() -> Outcome:
    """Ping Redis at settings.REDIS_URL."""
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
        return Outcome(problem=f"Redis at {where} refused the password ({source}): {exc}. Check REDIS_URL.")
    except (redis.ConnectionError, redis.TimeoutError):
        return Outcome(
            problem=f"Redis is not reachable at {where} ({source}). "
            "Start it, e.g. `sudo systemctl start redis-server` or `redis-server --daemonize yes`, "
            "or point REDIS_URL at a running server, or leave REDIS_URL unset so that "
            "`make run` uses the one on 127.0.0.1:6379 or starts an embedded one."
        )
    except redis.RedisError as exc:
        return Outcome(problem=f"Redis at {where} answered with an error ({source}): {exc}. Check REDIS_URL.")
    finally:
        client.close()
    return Outcome()
