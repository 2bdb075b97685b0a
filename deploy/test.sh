#!/usr/bin/env bash
# The project's test command (README, CI): installs dependencies, builds, starts a throwaway
# PostgreSQL cluster in a fresh temporary directory on a free loopback port, runs ctest against it
# (TOCSIN_TEST_DATABASE_URL; the tests create their own databases from it), and always stops and
# deletes the cluster (trap on EXIT, INT, TERM, HUP). Exits with ctest's status.
#
#   deploy/test.sh [CTEST ARGS...]      e.g. deploy/test.sh -R unit
#
# Options (environment):
#   TOCSIN_SKIP_BUILD=1   skip deploy/build.sh and use build/ as it is
#   JOBS=N                build parallelism (see deploy/build.sh)
#   TOCSIN_BUILD_DIR=D    run the tests built in D (default build/; deploy/sanitize.sh uses it)
set -euo pipefail

cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

banner() { printf '==> %s\n' "$*"; }

banner "Installing dependencies (deploy/install_deps.sh)"
deploy/install_deps.sh

if [[ ${TOCSIN_SKIP_BUILD:-0} == 1 ]]; then
  banner "Skipping build (TOCSIN_SKIP_BUILD=1)"
else
  banner "Building (deploy/build.sh)"
  deploy/build.sh
fi

banner "Starting throwaway PostgreSQL"
PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-test-pg.XXXXXX")
CTEST_PID=

# shellcheck disable=SC2317 # invoked by trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  # ctest runs in its own process group: stop it and the servers the tests spawned.
  if [[ -n $CTEST_PID ]] && kill -0 "$CTEST_PID" 2>/dev/null; then
    kill -TERM -- "-$CTEST_PID" 2>/dev/null || true
    wait "$CTEST_PID" 2>/dev/null || true
  fi
  banner "Stopping throwaway PostgreSQL"
  "$ROOT/deploy/pg.sh" destroy "$PGTMP" || echo "test.sh: warning: could not stop the cluster in $PGTMP" >&2
  rm -rf -- "$PGTMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# A random loopback port that nothing listens on, below the kernel's ephemeral range when there
# is room (outgoing connections take their local ports from that range).
pick_port() {
  local lo=20000 hi=60000 eph port i
  eph=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 0)
  ((eph > lo + 1000)) && hi=$((eph - 1))
  for ((i = 0; i < 100; i++)); do
    port=$(shuf -i "$lo-$hi" -n 1)
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "test.sh: no free port found" >&2
  return 1
}

# Another process may take the port between the check and the bind: retry with a new one.
# fsync is off: the cluster is deleted afterwards, and durability is not what the tests assert.
started=0
for _ in 1 2 3 4 5; do
  PORT=$(pick_port)
  if err=$(TOCSIN_PG_FAST=1 deploy/pg.sh start "$PGTMP" "$PORT" 2>&1); then
    started=1
    break
  fi
done
if ((!started)); then
  printf '%s\n' "$err" >&2
  echo "test.sh: could not start PostgreSQL" >&2
  exit 1
fi
TOCSIN_TEST_DATABASE_URL=$(deploy/pg.sh url "$PGTMP" "$PORT" postgres)
export TOCSIN_TEST_DATABASE_URL
# Tests that restart PostgreSQL mid-run (reconnection) use these with deploy/pg.sh.
export TOCSIN_TEST_PG_DIR=$PGTMP TOCSIN_TEST_PG_PORT=$PORT

banner "Running tests: ctest --output-on-failure -j1${*:+ $*} (PostgreSQL on 127.0.0.1:$PORT)"
BUILD_DIR=${TOCSIN_BUILD_DIR:-build}
if [[ ! -d $BUILD_DIR ]]; then
  echo "test.sh: $BUILD_DIR/ does not exist (run deploy/build.sh, or drop TOCSIN_SKIP_BUILD)" >&2
  exit 1
fi
# In the background, in its own process group (set -m), so that a signal to this script can stop
# the whole test run at once before the cluster goes away.
set -m
(cd "$BUILD_DIR" && exec ctest --output-on-failure -j1 "$@") &
CTEST_PID=$!
set +m
rc=0
wait "$CTEST_PID" || rc=$?
CTEST_PID=
exit "$rc"
