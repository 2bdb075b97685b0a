#!/usr/bin/env bash
# Manages a PRIVATE PostgreSQL 15 cluster for development and tests; never touches the system
# cluster (/var/lib/postgresql/15/main). Silent on success except for what a command prints.
#
#   deploy/pg.sh start    DIR PORT         initdb if needed, start on 127.0.0.1:PORT (no-op if running)
#   deploy/pg.sh stop     DIR              stop if running (no-op otherwise)
#   deploy/pg.sh status   DIR              exit 0 if running, 3 if not
#   deploy/pg.sh url      DIR PORT DBNAME  print postgresql://postgres@127.0.0.1:PORT/DBNAME
#   deploy/pg.sh createdb DIR PORT DBNAME  create DBNAME unless it exists (cluster must be running)
#   deploy/pg.sh destroy  DIR              stop, then delete the cluster's files (not DIR itself)
#
# Layout: DIR/pgdata (data), DIR/run (unix socket), DIR/postgres.log. The cluster's superuser is
# 'postgres' (initdb -U postgres), listening on 127.0.0.1 only. Authentication: trust, unless
# TOCSIN_PG_PASSWORD is set (the quickstart sets it): then scram-sha-256 with that password for
# every connection. A trust cluster started with TOCSIN_PG_PASSWORD is converted (the password
# set, pg_hba.conf rewritten, the server reloaded), so existing quickstart clusters follow.
# The password never appears in a command line: it goes through stdin and the environment.
#
# Users: PostgreSQL refuses to run as root. As a normal user the cluster runs as that user. As
# root it runs as the 'postgres' system user (runuser), which must be able to reach DIR:
#   - if postgres can traverse DIR's parent, DIR itself is chowned to postgres and used in place;
#   - otherwise (e.g. DIR under /root, or under the quickstart's chmod-700 .data/) the cluster
#     lives in /var/tmp/tocsin-pg-<sha256(DIR)>-<random> (owned by postgres, mode 700), its path
#     recorded in DIR/pgdata-location (so deleting DIR starts afresh). We never loosen
#     permissions of the user's directories.
#     /var/tmp survives reboots, but a tmp cleaner may prune an unused cluster after weeks: it
#     is then re-created empty on the next start (fine for dev data; not for production).
#
# Environment: TOCSIN_PG_PASSWORD (see above; createdb uses it too). TOCSIN_PG_FAST=1 disables fsync/synchronous_commit/full_page_writes (throwaway
# test clusters only). PGBIN overrides /usr/lib/postgresql/15/bin.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PROG=pg.sh

usage() {
  sed -n '5,10p' "$0" | sed 's/^#  */usage: /' >&2
  exit 2
}
die() { echo "$PROG: $*" >&2; exit 1; }
is_root() { [[ $(id -u) -eq 0 ]]; }

check_port() {
  if ! [[ $1 =~ ^[0-9]+$ ]] || ((10#$1 < 1 || 10#$1 > 65535)); then
    die "bad port: '$1'"
  fi
}

# Percent-encodes $1 for use as the database path segment of a URL.
urlencode() {
  local LC_ALL=C s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

# Sets DIR (absolute), CHOME (directory holding pgdata/run/postgres.log), PGDATA_DIR, RELOCATED
# and RUN_AS (user the server runs as; empty = the current user). With $2 = create, prepares
# CHOME for a new cluster.
resolve() {
  DIR=$(realpath -m -- "$1")
  local create=${2:-}
  RELOCATED=0
  if [[ -f $DIR/pgdata-location ]]; then
    CHOME=$(<"$DIR/pgdata-location")
    RELOCATED=1
  elif is_root && [[ ! -d $DIR/pgdata ]] &&
       ! runuser -u postgres -- test -x "$(dirname -- "$DIR")" 2>/dev/null; then
    CHOME=/var/tmp/tocsin-pg-$(printf '%s' "$DIR" | sha256sum | cut -c1-16)
    RELOCATED=1
    if [[ $create == create ]]; then
      # A fresh name each time DIR is new: deleting DIR (e.g. the quickstart's .data/, with the
      # data key) must never bring back an old cluster sealed under a key that is gone.
      CHOME=$CHOME-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
      printf '%s\n' "$CHOME" >"$DIR/pgdata-location"
    fi
  else
    CHOME=$DIR
  fi
  PGDATA_DIR=$CHOME/pgdata

  RUN_AS=
  if is_root; then
    RUN_AS=postgres
    if [[ -d $PGDATA_DIR ]]; then
      RUN_AS=$(stat -c %U -- "$PGDATA_DIR")
      [[ $RUN_AS != root ]] || die "$PGDATA_DIR is owned by root; PostgreSQL cannot run as root"
    fi
    id -u postgres >/dev/null 2>&1 || die "no 'postgres' user (run deploy/install_deps.sh)"
  elif [[ -d $PGDATA_DIR && ! -O $PGDATA_DIR ]]; then
    die "$PGDATA_DIR belongs to $(stat -c %U -- "$PGDATA_DIR"); run this as that user or root"
  fi

  if [[ $create == create ]]; then
    if is_root; then
      if ((RELOCATED)); then
        [[ $CHOME == /var/tmp/tocsin-pg-* ]] || die "unexpected cluster location: $CHOME"
        # /var/tmp is shared: refuse a directory someone else prepared under our name.
        if [[ -e $CHOME || -L $CHOME ]] &&
           [[ -L $CHOME || $(stat -c %U -- "$CHOME") != postgres ]]; then
          die "$CHOME exists and is not a directory owned by postgres; remove it"
        fi
        mkdir -p -- "$CHOME"
        chown "$RUN_AS": -- "$CHOME"
      elif [[ ! -d $PGDATA_DIR ]]; then
        chown "$RUN_AS": -- "$CHOME"
      fi
    else
      mkdir -p -- "$CHOME"
    fi
    chmod 700 -- "$CHOME"
  fi
}

# Runs a command as the cluster's owner, from / so an unreadable cwd does not matter. Closes the
# lock fd 9: a postmaster that inherited it would hold the lock for as long as it runs.
run_pg() {
  if [[ -n $RUN_AS ]]; then
    (cd / && runuser -u "$RUN_AS" -- "$@") 9>&-
  else
    (cd / && "$@") 9>&-
  fi
}

# Serialises start/stop/destroy on one DIR (fd 9 stays open until the script exits).
lock_dir() {
  exec 9>>"$DIR/.pg.lock"
  flock 9
}

is_running() {
  [[ -f $PGDATA_DIR/PG_VERSION ]] || return 1
  run_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

cmd_start() {
  (($# == 2)) || usage
  check_port "$2"
  local port=$((10#$2))
  mkdir -p -- "$1"
  resolve "$1" create
  lock_dir

  if is_running; then
    local running_port
    running_port=$(sed -n 4p "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)
    if [[ -n $running_port && $running_port != "$port" ]]; then
      echo "$PROG: warning: cluster in $DIR already runs on port $running_port, not $port" >&2
    fi
    [[ -z ${TOCSIN_PG_PASSWORD:-} ]] || require_password "${running_port:-$port}"
    return 0
  fi

  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
    local locale_opt=--no-locale out
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
      locale_opt=--locale=C.UTF-8
    fi
    local auth=(-A trust) pwfile=$CHOME/.initdb-password
    if [[ -n ${TOCSIN_PG_PASSWORD:-} ]]; then
      # shellcheck disable=SC2016 # $1 is expanded by the inner sh
      run_pg sh -c 'umask 077 && cat >"$1"' sh "$pwfile" <<<"$TOCSIN_PG_PASSWORD"
      auth=(-A scram-sha-256 "--pwfile=$pwfile")
    fi
    if ! out=$(run_pg "$PGBIN/initdb" -D "$PGDATA_DIR" "${auth[@]}" -U postgres --encoding=UTF8 \
                 "$locale_opt" 2>&1); then
      rm -f -- "$pwfile"
      printf '%s\n' "$out" >&2
      die "initdb failed in $PGDATA_DIR"
    fi
    rm -f -- "$pwfile"
    # Per-start settings (port etc.) go in tocsin.conf, rewritten on every start.
    # shellcheck disable=SC2016 # $1 is expanded by the inner sh
    run_pg sh -c 'printf "%s\n" "include_if_exists = '\''tocsin.conf'\''" >>"$1/postgresql.conf"' \
      sh "$PGDATA_DIR"
  fi

  local rundir=$CHOME/run sockdirs
  run_pg mkdir -p -m 700 -- "$rundir"
  sockdirs=$rundir
  # Unix socket paths are limited to 107 bytes; beyond that listen on TCP only.
  if (( ${#rundir} + 20 > 107 )); then
    sockdirs=
  fi
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  {
    echo "# Written by deploy/pg.sh on every start; edit postgresql.conf for lasting settings."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$sockdirs'"
    if [[ ${TOCSIN_PG_FAST:-0} == 1 ]]; then
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
  } | run_pg sh -c 'cat >"$1/tocsin.conf"' sh "$PGDATA_DIR"

  local log=$CHOME/postgres.log out
  if ! out=$(run_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$log" -w -t 60 -s start 2>&1); then
    printf '%s\n' "$out" >&2
    tail -n 20 -- "$log" >&2 2>/dev/null || true
    die "could not start PostgreSQL in $PGDATA_DIR on port $port (log: $log)"
  fi
  [[ -z ${TOCSIN_PG_PASSWORD:-} ]] || require_password "$port"
}

# A cluster made with trust (before the quickstart had a password) gets the password and
# scram-sha-256 for every connection; a no-op once pg_hba.conf no longer trusts anyone.
require_password() {
  local hba=$PGDATA_DIR/pg_hba.conf
  run_pg grep -qE '^[^#]*[[:space:]]trust([[:space:]]|$)' "$hba" || return 0
  PORT=$1
  # Hex or base64url only (quickstart.sh makes it so): safe inside the SQL quotes.
  [[ $TOCSIN_PG_PASSWORD =~ ^[A-Za-z0-9_-]+$ ]] || die "TOCSIN_PG_PASSWORD must be letters, digits, - or _"
  PGPASSWORD='' psql_q <<<"SET password_encryption = 'scram-sha-256'; ALTER ROLE postgres PASSWORD '$TOCSIN_PG_PASSWORD'" ||
    die "could not set the password of the cluster in $PGDATA_DIR"
  local lines=(
    "# Written by deploy/pg.sh: every connection needs the password (scram-sha-256)."
    "local all all scram-sha-256"
    "host all all 127.0.0.1/32 scram-sha-256"
    "host all all ::1/128 scram-sha-256"
  )
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  printf '%s\n' "${lines[@]}" | run_pg sh -c 'cat >"$1"' sh "$hba"
  run_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -s reload >/dev/null || die "could not reload PostgreSQL in $PGDATA_DIR"
}

cmd_stop() {
  (($# == 1)) || usage
  [[ -d $1 ]] || return 0
  resolve "$1"
  lock_dir
  is_running || return 0
  if ! run_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 -s stop >/dev/null 2>&1; then
    run_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t 30 -s stop >/dev/null 2>&1 ||
      die "could not stop PostgreSQL in $PGDATA_DIR"
  fi
}

cmd_status() {
  (($# == 1)) || usage
  [[ -d $1 ]] || return 3
  resolve "$1"
  is_running || return 3
}

cmd_destroy() {
  (($# == 1)) || usage
  [[ -d $1 ]] || return 0
  cmd_stop "$1"
  rm -rf -- "$CHOME/pgdata" "$CHOME/run" "$CHOME/postgres.log"
  if ((RELOCATED)); then
    [[ $CHOME == /var/tmp/tocsin-pg-* ]] && rm -rf -- "$CHOME"
    rm -f -- "$DIR/pgdata-location"
  fi
  rm -f -- "$DIR/.pg.lock"
}

cmd_url() {
  (($# == 3)) || usage
  check_port "$2"
  [[ -n $3 ]] || die "empty database name"
  printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$((10#$2))" "$(urlencode "$3")"
}

psql_q() {
  PGPASSWORD=${PGPASSWORD-${TOCSIN_PG_PASSWORD:-}} "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"
}

db_exists() {
  [[ $(psql_q -v name="$1" <<<"SELECT 1 FROM pg_database WHERE datname = :'name'") == 1 ]]
}

cmd_createdb() {
  (($# == 3)) || usage
  check_port "$2"
  PORT=$((10#$2))
  local name=$3 err
  [[ -n $name ]] || die "empty database name"
  db_exists "$name" && return 0
  if ! err=$(psql_q -v name="$name" <<<'CREATE DATABASE :"name"' 2>&1); then
    db_exists "$name" && return 0 # created concurrently by someone else
    printf '%s\n' "$err" >&2
    die "could not create database $name"
  fi
}

(($# >= 1)) || usage
cmd=$1
shift
case $cmd in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  destroy) cmd_destroy "$@" ;;
  url) cmd_url "$@" ;;
  createdb) cmd_createdb "$@" ;;
  *) usage ;;
esac
