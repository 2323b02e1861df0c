"""The self-hosting files hang together: docker-compose.yml, the Dockerfile and .env.example.
No Docker engine runs here, so these check their structure."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ["web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def _command(service) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def _healthcheck_test(service) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def _volume_names(service) -> list[str]:
    return [volume.split(":")[0] for volume in service.get("volumes", [])]


def test_compose_runs_web_worker_beat_db_and_redis(services):
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)


def test_compose_uses_postgres_16_and_redis_7(services):
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"


def test_database_and_redis_keep_their_data_in_declared_volumes(compose, services):
    assert "pgdata" in _volume_names(services["db"])
    assert "redisdata" in _volume_names(services["redis"])
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])


def test_db_redis_and_web_have_healthchecks(services):
    assert "pg_isready" in _healthcheck_test(services["db"])
    assert "redis-cli ping" in _healthcheck_test(services["redis"])
    web_check = _healthcheck_test(services["web"])
    assert "urllib" in web_check
    assert "http://127.0.0.1:8000/healthz" in web_check


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_a_healthy_database_and_redis(services, name):
    depends_on = services[name]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_worker_and_beat_run_celery(services):
    assert "celery -A roadmap worker" in _command(services["worker"])
    assert "celery -A roadmap beat" in _command(services["beat"])


def test_a_one_shot_service_migrates_and_seeds_the_demo_only_when_asked(services):
    command = _command(services["migrate"])
    assert command.index("migrate --noinput") < command.index("seed_demo")
    assert "SEED_DEMO" in command
    assert services["migrate"]["restart"] == "no"
    assert _with_defaults(services["web"]["environment"]["SEED_DEMO"]) == "false"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_only_after_migrations_finished(services, name):
    assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_web_serves_with_gunicorn(services):
    assert _command(services["web"]).startswith("gunicorn roadmap.wsgi")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_the_database_redis_secret_key_and_debug(services, name):
    environment = services[name]["environment"]
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"} <= set(environment)
    assert environment["DEBUG"] == "False"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")


def _with_defaults(value: str) -> str:
    """Interpolate `${NAME:-default}` as Compose does when NAME is unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_web_publishes_port_8000(services):
    assert "8000:8000" in [_with_defaults(str(port)) for port in services["web"]["ports"]]


def test_dockerfile_does_not_run_as_root():
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}


def test_env_example_documents_every_variable_the_settings_read():
    settings_source = (ROOT / "roadmap" / "settings" / "base.py").read_text()
    read = set(re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert len(read) > 20
    assert read - documented == set()
