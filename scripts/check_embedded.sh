#!/usr/bin/env bash
# CI check of the embedded mode, from a fresh copy of this checkout in a temporary folder, with
# the machine's PostgreSQL and Redis left running but never used (WAYMARK_SERVICES=embedded):
# `make run` creates .venv, starts the embedded PostgreSQL and Redis, migrates, seeds the demo
# and serves; /healthz must answer 200 with a real Celery worker's heartbeat; Ctrl-C must stop
# everything it started; the next command finds the data kept; `make stop` stops the servers;
# and nothing may be left running. Prints the time from the fresh copy to the served page.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/waymark-embedded.XXXXXX")"
clone="$work/waymark"
log="$work/run.log"
run_pid=""

say() { printf 'check_embedded: %s\n' "$*"; }

# Processes working inside the temporary folder: the embedded servers (their data folders are
# their working directories), gunicorn and Celery.
leftovers() {
    local proc cwd
    for proc in /proc/[0-9]*; do
        cwd="$(readlink "$proc/cwd" 2>/dev/null)" || continue
        case "$cwd" in "$work"*) printf '%s ' "${proc#/proc/}" ;; esac
    done
}

finish() {
    local status=$?
    if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then kill -INT -- "-$run_pid" 2>/dev/null || true; sleep 5; fi
    local left
    left="$(leftovers)"
    if [ -n "$left" ]; then
        # shellcheck disable=SC2086  # a list of pids
        kill -9 $left 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$log" ]; then
        say "failed; the end of make run's output:"
        tail -n 40 "$log"
    fi
    rm -rf "$work"
    exit "$status"
}
trap finish EXIT

mkdir -p "$clone"
# What a clone would check out, plus uncommitted changes (none in CI); never .env or var/.
(cd "$src" && git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf -) \
    | tar -C "$clone" -xf -

export WAYMARK_SERVICES=embedded
unset DATABASE_URL REDIS_URL TEST_REDIS_URL BENCH_DATABASE_URL BENCH_REDIS_URL CELERY_BROKER_URL CELERY_RESULT_BACKEND
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
started=$(date +%s)

# Job control gives make run a process group of its own, so that Ctrl-C can be sent to it.
set -m
(cd "$clone" && PORT="$port" exec make run) >"$log" 2>&1 &
run_pid=$!
set +m

healthy=""
for _ in $(seq 1 300); do
    if body="$(python3 - "$port" 2>/dev/null <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=3) as response:
    body = json.load(response)
assert response.status == 200 and body["checks"]["worker"]["ok"], body
print(json.dumps(body))
PY
)"; then healthy="$body"; break; fi
    kill -0 "$run_pid" 2>/dev/null || { say "make run exited before serving"; exit 1; }
    sleep 1
done
[ -n "$healthy" ] || { say "no healthy /healthz within 5 minutes"; exit 1; }
say "fresh copy to a served page with a worker heartbeat: $(( $(date +%s) - started ))s"
say "/healthz: $healthy"
grep -q '^PostgreSQL: embedded in var/postgres (started' "$log" || { say "make run did not say it started the embedded PostgreSQL"; exit 1; }
grep -q '^Redis: embedded in var/redis, port [0-9]* (started' "$log" || { say "make run did not say it started the embedded Redis"; exit 1; }

kill -INT -- "-$run_pid"
wait "$run_pid" || true
run_pid=""
grep -q '^PostgreSQL: embedded in var/postgres stopped' "$log" || { say "Ctrl-C did not stop the embedded PostgreSQL"; exit 1; }
left="$(leftovers)"
[ -z "$left" ] || { say "still running after Ctrl-C: $left"; exit 1; }
say "Ctrl-C stopped web, worker, beat and both embedded servers"

cd "$clone"
.venv/bin/python scripts/services.py exec -- python manage.py shell --no-imports -c \
    "from strategy.models import User; assert User.objects.filter(email='demo@waymark.test').exists()"
make stop
cd "$src"
left="$(leftovers)"
[ -z "$left" ] || { say "still running after make stop: $left"; exit 1; }
say "the demo data was kept; make stop left nothing running"
