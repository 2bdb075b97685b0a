#!/usr/bin/env bash
# The benchmarks, as one command: builds (Release with debug info), starts a throwaway
# PostgreSQL (fsync on: durable means durable), and prints the figures of
#   fanout_bench   fan-out to 10,000 and 100,000 members; two networks at once (a small alert
#                  raised while a large one sends: time to its first SMS); 5 numbers x 10
#                  segments/s rate
#   answers_bench  signed replies to an alert of 100,000 members: answers/s, latency to durable
#   timer_bench    1,000,000 pending escalation deadlines: memory, add/cancel, lateness
#   email_bench    1,000 alert emails through the email channel to the fake SMTP relay: emails/s,
#                  CPU per email
#   reports_bench  street reports: a verifier's 1 -> the alert's first provider request (p50/p99
#                  over 200 reports), and 5,000 SMS reports offered at 1,000/s with merging
#   webhook_bench  10,000 signed webhook deliveries (25 endpoints x 400 alerts) from the real
#                  tocsind to a loopback receiver answering after 1 ms: deliveries/s, server CPU
#                  per delivery, duplicates
#   case_bench     1,000 open cases each with a removal schedule: recording, deadlines pending,
#                  memory, and the server's CPU at each of the schedule's firings
#   voice_bench    1,000 calls through the fake Twilio at 50 calls/s, each answered with 1:
#                  calls/s held, answer webhook -> TwiML served p50/p99, server CPU per call
# then, side by side, the bulk send a network would most likely write instead: Twilio's
# official Node helper (tests/bench/node, the `twilio` npm package at a pinned version) sending
# NODE_BENCH_MESSAGES (default 100,000) messages, 100 in flight, nothing persisted, to the same
# fake Twilio (fake_twilio_server, no rate limit, 1 ms latency), and Tocsin's ratio of messages
# per CPU-second to it. Node and npm come from apt if absent, the package from npm ci.
# Extra arguments go to fanout_bench, answers_bench, reports_bench, webhook_bench, case_bench and
# voice_bench as Catch filters, e.g. "[rate]", "[webhooks]" or "[cases]"; the side-by-side line
# is printed only when there are none.
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
deploy/install_deps.sh
deploy/build.sh
PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-bench-pg.XXXXXX")
OUT=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-bench-out.XXXXXX")
FAKE_PID=
cleanup() {
  if [[ -n $FAKE_PID ]]; then kill "$FAKE_PID" 2>/dev/null || true; fi
  "$ROOT/deploy/pg.sh" destroy "$PGTMP" >/dev/null 2>&1 || true
  rm -rf -- "$PGTMP" "$OUT"
}
trap cleanup EXIT
PORT=$(shuf -i 20000-30000 -n 1)
TOCSIN_PG_FAST=${TOCSIN_PG_FAST:-0} deploy/pg.sh start "$PGTMP" "$PORT"
export TOCSIN_TEST_DATABASE_URL
TOCSIN_TEST_DATABASE_URL=$(deploy/pg.sh url "$PGTMP" "$PORT" postgres)

NODE_DIR=tests/bench/node
SENDERS=+447700900001,+447700900002,+447700900003,+447700900004,+447700900005

# Node and npm (from apt, as deploy/install_deps.sh does it, when either is missing), then the
# pinned `twilio` package (npm ci from the lockfile, when not installed at the pinned version).
install_node_side() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    local as_root=()
    if [[ $(id -u) -ne 0 ]]; then
      if ! command -v sudo >/dev/null 2>&1; then
        echo "bench: node and npm missing and no sudo; run this as root" >&2
        return 1
      fi
      as_root=(sudo)
    fi
    echo "bench: installing nodejs npm" >&2
    run_apt() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$OUT/apt.log" 2>&1; }
    if ! run_apt update -q || ! run_apt install -y -q --no-install-recommends nodejs npm; then
      cat "$OUT/apt.log" >&2
      echo "bench: apt-get failed" >&2
      return 1
    fi
  fi
  local pinned installed=""
  pinned=$(node -p 'require(process.argv[1]).dependencies.twilio' "$ROOT/$NODE_DIR/package.json")
  if [[ -f $NODE_DIR/node_modules/twilio/package.json ]]; then
    installed=$(node -p 'require(process.argv[1]).version' "$ROOT/$NODE_DIR/node_modules/twilio/package.json")
  fi
  if [[ $installed != "$pinned" ]]; then
    echo "bench: installing twilio@$pinned in $NODE_DIR" >&2
    if ! (cd "$NODE_DIR" && npm ci --no-audit --no-fund) >"$OUT/npm.log" 2>&1; then
      cat "$OUT/npm.log" >&2
      echo "bench: npm ci failed" >&2
      return 1
    fi
  fi
}

# Runs the Node helper's bulk send against a fresh fake and prints the side-by-side block.
# $1: fanout_bench's output, for Tocsin's figure: the "server CPU per 1,000 deliveries" line
# of the "fan-out 100000 members" scenario.
side_by_side() {
  local fanout_log=$1 count=${NODE_BENCH_MESSAGES:-100000}
  if [[ ! $count =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: NODE_BENCH_MESSAGES must be a positive integer, not '$count'" >&2
    return 1
  fi
  install_node_side

  build/tests/fake_twilio_server --sid AC00000000000000000000000000000000 \
    --token fake-auth-token --numbers "$SENDERS" --no-limit --latency-ms 1 >"$OUT/fake.out" &
  FAKE_PID=$!
  local fake_port="" i
  for ((i = 0; i < 100; ++i)); do
    fake_port=$(awk '$1 == "listening" { print $2; exit }' "$OUT/fake.out")
    [[ -n $fake_port ]] && break
    kill -0 "$FAKE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $fake_port ]]; then
    echo "bench: fake_twilio_server did not start" >&2
    return 1
  fi

  local result
  if ! result=$(node "$NODE_DIR/bulk_send.js" --base "http://127.0.0.1:$fake_port" \
      --sid AC00000000000000000000000000000000 --token fake-auth-token --from "$SENDERS" \
      --count "$count" --concurrency 100); then
    echo "bench: the Node bulk send failed: $result" >&2
    return 1
  fi
  kill -TERM "$FAKE_PID"
  wait "$FAKE_PID" || true
  FAKE_PID=

  local ok wall cpu version accepted tocsin_cpu
  read -r ok wall cpu version < <(node -e \
    'const r = JSON.parse(process.argv[1]); console.log(r.ok, r.wall_s, r.cpu_s, r.twilio)' "$result")
  accepted=$(grep -o '"accepted":[0-9]*' "$OUT/fake.out" | head -n 1 | cut -d: -f2)
  if [[ $accepted != "$ok" ]]; then
    echo "bench: the fake accepted ${accepted:-?} messages, the Node helper counted $ok" >&2
  fi
  tocsin_cpu=$(awk '/^fan-out [0-9]+ members$/ { members = $2 }
                    members == 100000 && /server CPU per 1,000 deliveries:/ {
                      sub(/.*deliveries: */, ""); print $1; exit }' "$fanout_log")

  awk -v count="$count" -v version="$version" -v ok="$ok" -v wall="$wall" -v cpu="$cpu" \
      -v tocsin_cpu="$tocsin_cpu" 'BEGIN {
    printf "== Side by side: Twilio'\''s Node helper, bulk send of %d to the same fake (100 concurrent, nothing persisted)\n", count
    node = cpu > 0 ? ok / cpu : 0
    printf "node twilio@%s: %.0f messages/s wall, %.0f messages per CPU-second (node process only)\n",
           version, (wall > 0 ? ok / wall : 0), node
    if (tocsin_cpu > 0 && node > 0) {
      tocsin = 1000 / tocsin_cpu
      printf "tocsin: %.0f deliveries per CPU-second (server process, durable in PostgreSQL)\n", tocsin
      printf "ratio tocsin/node (messages per CPU-second): %.2f\n", tocsin / node
    } else {
      print "tocsin: no figure (no non-zero \"server CPU per 1,000 deliveries\" after \"fan-out 100000 members\" in fanout_bench'\''s output)"
    }
  }'
}

# One benchmark that fails (an assertion, a timeout) is reported and the others still run; the
# script's exit status says whether any failed.
failed=()
bench() {
  if ! "$@"; then
    echo "bench: $(basename -- "$1") FAILED (see above)" >&2
    failed+=("$(basename -- "$1")")
  fi
}

if [[ $# -eq 0 ]]; then
  bench build/tests/fanout_bench "[.bench]" > >(tee "$OUT/fanout.out")
  bench build/tests/answers_bench "[.bench]"
  bench build/tests/timer_bench
  bench build/tests/email_bench
  bench build/tests/webhook_bench "[.bench]"
  bench build/tests/reports_bench "[.bench]"
  bench build/tests/case_bench "[.bench]"
  bench build/tests/voice_bench "[.bench]"
  side_by_side "$OUT/fanout.out"
else
  # Run each scenario binary only if the filter names one of its scenarios.
  for bench in fanout_bench answers_bench reports_bench webhook_bench case_bench voice_bench; do
    # (Catch exits with the number of tests listed: not an error here.)
    if { build/tests/$bench --list-test-names-only "$@" || true; } | grep -q '^bench'; then
      bench build/tests/$bench "$@"
    fi
  done
fi
if ((${#failed[@]} > 0)); then
  echo "bench: failed: ${failed[*]}" >&2
  exit 1
fi
