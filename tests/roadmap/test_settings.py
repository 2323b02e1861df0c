"""Production settings: refuse to start without a real SECRET_KEY, and pass Django's
deployment checklist with nothing but DEBUG=False, a key and a host name."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs manage.py with .env reading switched off: an operator's .env (docker compose
# users keep SECRET_KEY there) must not decide what these tests see.
MANAGE_WITHOUT_DOTENV = (
    "import runpy, sys, environ; "
    "environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None); "
    "sys.argv = ['manage.py', *sys.argv[1:]]; "
    "runpy.run_path('manage.py', run_name='__main__')"
)


def _settings_variables() -> set[str]:
    source = (ROOT / "roadmap" / "settings" / "base.py").read_text()
    return set(re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))


# Set by the browser tests' conftest for this process; a deployment never has it.
TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    unwanted = _settings_variables() | TEST_ONLY_VARIABLES
    env = {name: value for name, value in os.environ.items() if name not in unwanted}
    env.update(variables, DJANGO_SETTINGS_MODULE="roadmap.settings.base")
    return subprocess.run(
        [sys.executable, "-c", MANAGE_WITHOUT_DOTENV, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = manage("check", DEBUG="False")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("secret_key", ["", "too-short-to-be-a-secret"])
def test_production_settings_refuse_an_empty_or_short_secret_key(secret_key):
    result = manage("check", DEBUG="False", SECRET_KEY=secret_key)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checklist_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="waymark.example.com",
        SITE_URL="https://waymark.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_the_site_address():
    result = manage("check", DEBUG="False", SECRET_KEY=secrets.token_urlsafe(48))

    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_a_task_of_a_killed_worker_returns_to_the_queue_after_the_visibility_timeout():
    from django.conf import settings

    from roadmap.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        assert channel.visibility_timeout == settings.CELERY_VISIBILITY_TIMEOUT == 20 * 60
    # Longer than a task may run, or a slow task still running would be handed out again.
    assert settings.CELERY_VISIBILITY_TIMEOUT > settings.CELERY_TASK_TIME_LIMIT


def test_the_visibility_timeout_comes_from_the_environment():
    code = "from roadmap.celery import app; print(app.conf.broker_transport_options['visibility_timeout'])"
    result = manage("shell", "-c", code, CELERY_VISIBILITY_TIMEOUT="3600")

    assert result.stdout.split()[-1] == "3600", result.stderr


def test_a_visibility_timeout_shorter_than_a_task_may_run_is_refused():
    result = manage("check", CELERY_VISIBILITY_TIMEOUT="600", CELERY_TASK_TIME_LIMIT="900")

    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT" in result.stderr
