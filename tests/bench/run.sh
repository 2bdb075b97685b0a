#!/usr/bin/env bash
# The benchmarks, as one command: builds (Release with debug info), starts a throwaway
# PostgreSQL (fsync on: durable means durable), and prints the figures of
#   fanout_bench   fan-out to 10,000 and 100,000 members; 5 numbers x 10 segments/s rate
#   answers_bench  signed replies to an alert of 100,000 members: answers/s, latency to durable
#   timer_bench    1,000,000 pending escalation deadlines: memory, add/cancel, lateness
# Extra arguments go to fanout_bench and answers_bench as Catch filters, e.g. "[rate]".
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
deploy/install_deps.sh
deploy/build.sh
PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-bench-pg.XXXXXX")
cleanup() { "$ROOT/deploy/pg.sh" destroy "$PGTMP" >/dev/null 2>&1 || true; rm -rf -- "$PGTMP"; }
trap cleanup EXIT
PORT=$(shuf -i 20000-30000 -n 1)
TOCSIN_PG_FAST=${TOCSIN_PG_FAST:-0} deploy/pg.sh start "$PGTMP" "$PORT"
export TOCSIN_TEST_DATABASE_URL
TOCSIN_TEST_DATABASE_URL=$(deploy/pg.sh url "$PGTMP" "$PORT" postgres)
if [[ $# -eq 0 ]]; then
  build/tests/fanout_bench "[.bench]"
  build/tests/answers_bench "[.bench]"
  build/tests/timer_bench
else
  # Run each scenario binary only if the filter names one of its scenarios.
  for bench in fanout_bench answers_bench; do
    # (Catch exits with the number of tests listed: not an error here.)
    if { build/tests/$bench --list-test-names-only "$@" || true; } | grep -q '^bench'; then
      build/tests/$bench "$@"
    fi
  done
fi
