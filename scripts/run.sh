#!/usr/bin/env bash
# Run Waymark locally: gunicorn, a Celery worker and Celery beat, as one unit.
# Ctrl-C (or SIGTERM) stops all three; if one of them exits, the others are stopped
# and this script exits non-zero. `make run` prepares the database and calls this.
#
# Environment: HOST (default 127.0.0.1), PORT (default 8000), WEB_CONCURRENCY
# (gunicorn workers, default 3), VENV (default .venv), STOP_TIMEOUT (seconds to wait
# for a clean stop before killing, default 20).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin="${VENV:-.venv}/bin"
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
stop_timeout="${STOP_TIMEOUT:-20}"

# Beat's schedule state is throwaway: keep it out of the work tree.
state_dir="$(mktemp -d "${TMPDIR:-/tmp}/waymark-run.XXXXXX")"

names=()
pids=()

log() { printf 'run.sh: %s\n' "$*" >&2; }

# Each process gets its own session (where setsid exists) so that stopping it also
# stops its children: gunicorn's workers, the worker's pool processes.
if command -v setsid >/dev/null 2>&1; then launcher=(setsid); else launcher=(); fi

start() {
    local name="$1"
    shift
    "${launcher[@]}" "$@" &
    names+=("$name")
    pids+=("$!")
}

alive() { kill -0 "$1" 2>/dev/null; }

all_alive() {
    local pid
    for pid in "${pids[@]}"; do
        if ! alive "$pid"; then return 1; fi
    done
}

signal_tree() {
    local signal="$1" pid="$2"
    kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid" 2>/dev/null || true
}

stop_all() {
    trap - INT TERM
    local i waited=0
    for i in "${!pids[@]}"; do
        signal_tree TERM "${pids[$i]}"
    done
    while (( waited < stop_timeout * 10 )); do
        local running=0
        for i in "${!pids[@]}"; do
            if alive "${pids[$i]}"; then running=1; fi
        done
        if (( ! running )); then break; fi
        sleep 0.1
        waited=$(( waited + 1 ))
    done
    for i in "${!pids[@]}"; do
        if alive "${pids[$i]}"; then
            log "${names[$i]} did not stop within ${stop_timeout}s; killing it"
            signal_tree KILL "${pids[$i]}"
        fi
        wait "${pids[$i]}" 2>/dev/null || true
    done
    rm -rf "$state_dir"
}

# shellcheck disable=SC2317  # called from the traps below
on_signal() {
    log "stopping web, worker and beat"
    stop_all
    log "stopped"
    exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

case "$host" in
    0.0.0.0 | "" | "::" | "[::]") url_host=127.0.0.1 ;;
    *:*) url_host="[$host]" ;;
    *) url_host="$host" ;;
esac
url="http://$url_host:$port/"
probe_host="${url_host#[}"
probe_host="${probe_host%]}"
accepting() { (: <"/dev/tcp/$probe_host/$port") 2>/dev/null; }

if accepting; then
    log "something is already listening on $host:$port (another Waymark?); stop it or set PORT, e.g. PORT=8001 make run"
    rm -rf "$state_dir"
    exit 1
fi

start web "$bin/gunicorn" roadmap.wsgi \
    --bind "$host:$port" \
    --workers "${WEB_CONCURRENCY:-3}" \
    --access-logfile - \
    --error-logfile -
start worker "$bin/celery" -A roadmap worker -l info --concurrency 2
start beat "$bin/celery" -A roadmap beat -l info --schedule "$state_dir/celerybeat-schedule"

# Announce once the web server accepts connections, so the banner is not lost in
# the start-up logs (give up after a minute; a dead process ends the loop too).
for _ in $(seq 1 120); do
    if accepting; then
        cat >&2 <<EOF

  Waymark is running at $url
  Sign in as demo@waymark.test with the password waymark-demo
  Press Ctrl-C to stop the web server, the worker and beat.

EOF
        break
    fi
    if ! all_alive; then break; fi
    sleep 0.5
done

status=0
# A process that died during start-up has been reaped already; wait for it by pid.
for i in "${!pids[@]}"; do
    if ! alive "${pids[$i]}"; then
        wait "${pids[$i]}" || status=$?
        break
    fi
done
if all_alive; then
    wait -n || status=$?
fi
for i in "${!pids[@]}"; do
    if ! alive "${pids[$i]}"; then
        log "${names[$i]} exited (status $status); stopping the others"
        break
    fi
done
stop_all
exit $(( status == 0 ? 1 : status ))
