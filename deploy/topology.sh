#!/usr/bin/env bash
# The production topology of docs/deploy.md on this one machine, end to end:
#
#   PostgreSQL (a scratch database on the server at 127.0.0.1:5432, started or installed if
#   missing) · Redis (its own server on a free loopback port: cache, sessions, task queue) ·
#   two gunicorn app servers on loopback ports · nginx in front (a generated configuration in
#   a scratch folder, not the system's) · one task worker (RQ, django-tasks-rq);
#
# then the smoke journey (deploy/smoke.py) through nginx and each app server, and everything
# torn down on exit (trap), the scratch database dropped. Loopback addresses only.
#
#   bash deploy/topology.sh            # PY=path/to/python to choose the interpreter
#   KEEP=1 bash deploy/topology.sh     # keep the scratch folder (logs) after the run
#   bash deploy/topology.sh --keep-running CMD ARGS...
#       bring everything up, run CMD (instead of the smoke journey) with the application's
#       environment plus NGINX_URL, APP1_URL, APP2_URL, APP1_PID, APP2_PID, WORKER_PID,
#       WORKER_CMD, TOPOLOGY_WORK (and PG_CTL_DATA, PG_BIN with PG_SCRATCH=1), then tear down;
#       the exit status is CMD's. The load and fault scripts of bench/ run this way.
#   PG_SCRATCH=1 bash deploy/topology.sh   # a private PostgreSQL cluster (initdb in a temp
#       folder, a free loopback port) instead of the shared server: a fault test may restart it
#   PG_REPLICA=1 bash deploy/topology.sh   # PG_SCRATCH, plus a read replica: a second cluster on
#       another loopback port, a hot standby streaming from the first (pg_basebackup -R); the app
#       servers get REPLICA_DATABASE_URL (figures, reports and exports read from it) and the smoke
#       journey checks the routing, the lag fallback and the replication delay (docs/scale.md).
#       Exports PG_STANDBY_DATA and REPLICA_PORT with --keep-running.
set -euo pipefail

RUN_CMD=()
if [ "${1:-}" = "--keep-running" ]; then
    shift
    RUN_CMD=("$@")
    [ ${#RUN_CMD[@]} -gt 0 ] || { echo "--keep-running needs a command"; exit 2; }
fi

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
BIN=$(dirname "$PY")
START=$(date +%s)
PG_HOST=127.0.0.1
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
WORK=$(mktemp -d /tmp/qingyi-topology.XXXXXX)
DB_NAME="qingyi_topology_$$"
PIDS=()
DB_CREATED=
PG_ROLE_CREATED=
PG_SCRATCH_DIR=
PG_BIN=
PG_STANDBY=
[ -z "${PG_REPLICA:-}" ] || PG_SCRATCH=1

say() { printf '\n==> [%4ss] %s\n' "$(($(date +%s) - START))" "$*"; }

cleanup() {
    local rc=$?
    say "Tearing down"
    # Stop in reverse order of start: nginx, app servers, worker, Redis.
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill -TERM "${PIDS[$i]}" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$PG_STANDBY" ]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_STANDBY" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "$PG_SCRATCH_DIR" ]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_SCRATCH_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        [ -n "${KEEP:-}" ] || rm -rf "$PG_SCRATCH_DIR"
        DB_CREATED=
    fi
    if [ -n "$DB_CREATED" ]; then
        dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB_NAME" || true
    fi
    if [ -n "$PG_ROLE_CREATED" ]; then
        runuser -u postgres -- psql -q -c "DROP ROLE IF EXISTS $PG_USER" || true
    fi
    if [ "$rc" -ne 0 ]; then
        echo "--- the last lines of each log ($WORK):"
        for log in "$WORK"/*.log; do
            [ -f "$log" ] && { echo "--- $log"; tail -n 25 "$log"; }
        done
    fi
    if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
    printf '\n==> topology %s in %ss\n' "$([ "$rc" -eq 0 ] && echo passed || echo FAILED)" "$(($(date +%s) - START))"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

apt_install() {
    command -v apt-get >/dev/null || { echo "cannot install $* (no apt-get)"; return 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq 1 $((seconds * 5))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "timed out after ${seconds}s waiting for $what"
    return 1
}

# --- PostgreSQL --------------------------------------------------------------------------
if ! command -v pg_isready >/dev/null; then apt_install postgresql postgresql-client; fi
if [ -n "${PG_SCRATCH:-}" ]; then
    # A private cluster (its own data folder and port, trust on loopback), run as the postgres
    # system user; stopped and deleted on exit.
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PG_SCRATCH_DIR=$(mktemp -d /tmp/qingyi-pg.XXXXXX)
    chown postgres: "$PG_SCRATCH_DIR"
    PG_PORT=$(free_port)
    PG_USER=postgres
    say "a private PostgreSQL cluster on $PG_HOST:$PG_PORT ($PG_SCRATCH_DIR)"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_SCRATCH_DIR/data" -U postgres --auth=trust -E UTF8 \
        --no-locale >"$WORK/initdb.log" 2>&1
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_SCRATCH_DIR/data" -l "$PG_SCRATCH_DIR/postgres.log" -w -t 60 \
        -o "-c listen_addresses=$PG_HOST -p $PG_PORT -k $PG_SCRATCH_DIR" start >/dev/null
    export PG_CTL_DATA="$PG_SCRATCH_DIR/data" PG_BIN
fi
if [ -n "${PG_REPLICA:-}" ]; then
    # The read replica: a base backup of the primary written with its standby configuration
    # (-R: primary_conninfo and standby.signal), started as a hot standby on its own port.
    # Everything written afterwards (the database, the migrations, the demo) streams to it.
    REPLICA_PORT=$(free_port)
    PG_STANDBY="$PG_SCRATCH_DIR/standby"
    say "a hot standby of it on $PG_HOST:$REPLICA_PORT (streaming replication)"
    runuser -u postgres -- "$PG_BIN/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U postgres -D "$PG_STANDBY" \
        -R -X stream -c fast --no-sync >"$WORK/basebackup.log" 2>&1
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_STANDBY" -l "$PG_SCRATCH_DIR/standby.log" -w -t 60 \
        -o "-c listen_addresses=$PG_HOST -p $REPLICA_PORT -k $PG_SCRATCH_DIR -c hot_standby=on" start >/dev/null
    export PG_STANDBY_DATA="$PG_STANDBY" REPLICA_PORT
fi
say "PostgreSQL on $PG_HOST:$PG_PORT"
if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    wait_for 60 PostgreSQL pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
fi
PG_PASSWORD=
if ! PGCONNECT_TIMEOUT=10 createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB_NAME" 2>"$WORK/createdb.log"; then
    # A fresh Debian installation asks a password on TCP: as root, make a scratch role through
    # the local socket (peer authentication of the postgres user) and use it instead.
    command -v runuser >/dev/null || { cat "$WORK/createdb.log"; exit 1; }
    PG_USER="qingyi_topology_$$"
    PG_PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
    runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
    runuser -u postgres -- createdb -O "$PG_USER" "$DB_NAME"
    PG_ROLE_CREATED=1
fi
[ -z "$PG_PASSWORD" ] || export PGPASSWORD=$PG_PASSWORD
DB_CREATED=1
echo "scratch database $DB_NAME (user $PG_USER)"

# --- Redis -------------------------------------------------------------------------------
say "Redis on a free loopback port"
if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK" --appendonly yes --save '' \
    --maxmemory-policy noeviction --logfile "$WORK/redis.log" &
PIDS+=($!)
wait_for 20 Redis redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping

# --- The application's configuration (production settings, HTTP on loopback) ------------
APP1_PORT=$(free_port)
APP2_PORT=$(free_port)
NGINX_PORT=$(free_port)
export DEBUG=false
export SECRET_KEY="topology-throwaway-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$NGINX_PORT"
export DATABASE_URL="postgres://$PG_USER${PG_PASSWORD:+:$PG_PASSWORD}@$PG_HOST:$PG_PORT/$DB_NAME"
if [ -n "$PG_STANDBY" ]; then
    export REPLICA_DATABASE_URL="postgres://$PG_USER@$PG_HOST:$REPLICA_PORT/$DB_NAME"
    # Short, so the smoke journey sees the lag fallback within seconds (production: the defaults).
    export REPLICA_MAX_LAG_SECONDS=${REPLICA_MAX_LAG_SECONDS:-3} REPLICA_LAG_CHECK_SECONDS=${REPLICA_LAG_CHECK_SECONDS:-0.5}
fi
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export DATA_DIR="$WORK/data" STATIC_ROOT="$WORK/static"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export TRUSTED_PROXIES=1 LOG_LEVEL=WARNING QINGYI_TESTING=false
export PYTHONDONTWRITEBYTECODE=1

say "migrate, collectstatic, the demo hospital (--people 100)"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py demo_data --force --people 100 >"$WORK/demo.log"
tail -n 5 "$WORK/demo.log"

# --- Two app servers, one worker ---------------------------------------------------------
say "gunicorn on 127.0.0.1:$APP1_PORT and 127.0.0.1:$APP2_PORT, one RQ worker"
for port in "$APP1_PORT" "$APP2_PORT"; do
    mkdir -p "$WORK/prometheus-$port"
    PROMETHEUS_MULTIPROC_DIR="$WORK/prometheus-$port" "$BIN/gunicorn" qingyi.wsgi --pythonpath "$ROOT/src" \
        --bind "127.0.0.1:$port" --workers 2 --timeout 60 \
        --graceful-timeout 10 --access-logfile "$WORK/gunicorn-$port.access.log" \
        --error-logfile "$WORK/gunicorn-$port.log" >>"$WORK/gunicorn-$port.log" 2>&1 &
    PIDS+=($!)
done
# DurableWorker: a job left by a killed worker is retried (src/qingyi/ops/rq.py).
WORKER_CMD="$PY manage.py rqworker --job-class django_tasks_rq.Job --worker-class qingyi.ops.rq.DurableWorker default"
$WORKER_CMD >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
export WORKER_PID=$! WORKER_CMD APP1_PID=${PIDS[-3]} APP2_PID=${PIDS[-2]}

# --- nginx in front ----------------------------------------------------------------------
say "nginx on 127.0.0.1:$NGINX_PORT"
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then apt_install nginx; fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx.log warn;
events { worker_connections 256; }
http {
    access_log $WORK/nginx.access.log;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    # Fail-over: a request that could not reach an app server (connection refused, reset, or
    # timed out) goes to the other one. nginx never passes a POST (non-idempotent) to the next
    # server once it was sent - it may have been written - so the client gets a 502 and decides;
    # only a POST that never reached the dead server (connect refused) is passed on. We do NOT
    # add "non_idempotent": a blind retry could sign a volunteer up or check them in twice.
    proxy_next_upstream error timeout;
    proxy_next_upstream_tries 2;
    proxy_next_upstream_timeout 15s;
    proxy_connect_timeout 2s;
    upstream qingyi {
        server 127.0.0.1:$APP1_PORT max_fails=3 fail_timeout=10s;
        server 127.0.0.1:$APP2_PORT max_fails=3 fail_timeout=10s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        client_max_body_size 20m;
        # Prometheus scrapes each app server directly; the proxy does not publish /metrics.
        location = /metrics { return 404; }
        location / {
            proxy_pass http://qingyi;
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            # Which app server answered: the smoke journey checks that both did.
            add_header X-Upstream \$upstream_addr always;
        }
    }
}
CONF
"$NGINX" -t -q -e "$WORK/nginx.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
"$NGINX" -e "$WORK/nginx.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)

say "Waiting for readiness"
for port in "$APP1_PORT" "$APP2_PORT" "$NGINX_PORT"; do
    wait_for 90 "http://127.0.0.1:$port/ready/" "$PY" -c \
        "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:$port/ready/', timeout=5).status != 200)"
done

if [ ${#RUN_CMD[@]} -gt 0 ]; then
    say "Running: ${RUN_CMD[*]}"
    export NGINX_URL="http://127.0.0.1:$NGINX_PORT" APP1_URL="http://127.0.0.1:$APP1_PORT" \
        APP2_URL="http://127.0.0.1:$APP2_PORT" TOPOLOGY_WORK="$WORK"
    "${RUN_CMD[@]}"
    exit $?
fi

# --- The smoke journey -------------------------------------------------------------------
say "Smoke journey through nginx and both app servers"
"$PY" deploy/smoke.py --proxy "http://127.0.0.1:$NGINX_PORT" \
    --app "http://127.0.0.1:$APP1_PORT" --app "http://127.0.0.1:$APP2_PORT"
