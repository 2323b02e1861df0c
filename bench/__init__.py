"""Benchmarks of Waymark's pages against a large seeded workspace, outside the test run.

`make bench` runs `python -m bench.run`, which seeds the bench database when needed
(`bench.seed`), serves the app with gunicorn and times its pages. The bench has a database
and a Redis database of its own, chosen here before Django starts, so it never touches the
development or test data. See bench/README.md."""

from __future__ import annotations

import os
import secrets

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/waymark_bench"
# Redis database 0 is the development server's, 9 the tests'.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"


def configure(*, site_url: str = "http://127.0.0.1") -> None:
    """Set the environment Django reads its settings from: the bench database and Redis
    (BENCH_DATABASE_URL and BENCH_REDIS_URL override them) and production-like settings
    (DEBUG=False, a throwaway secret key) for plain HTTP on loopback. Call before django.setup();
    values from the caller's environment or .env for the development server never leak in."""
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        "DEBUG": "False",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": site_url,
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "SECURE_HSTS_SECONDS": "0",
        "PROXY_COUNT": "0",
        "BEHIND_TLS_PROXY": "False",
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    })
    # The Celery broker and results follow REDIS_URL unless set on their own.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)
    # Keep the secret stable for the gunicorn workers started later by the same process.
    os.environ["BENCH_SECRET_KEY"] = os.environ["SECRET_KEY"]
