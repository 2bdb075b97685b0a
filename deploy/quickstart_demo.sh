# shellcheck shell=bash
# The quickstart's --demo (sourced by deploy/quickstart.sh, not run by itself): a local webhook
# receiver and a local mail sink beside tocsind, and an organisation reached through both.
#
# Functions, called by quickstart.sh in this order:
#   demo_check_ports  before anything is built: the receiver's and the sink's ports are free
#   demo_config       prints the TOML appended to .data/tocsin.toml: [email] to the sink
#                     (starttls off: it is on loopback) and [webhooks] allowing loopback http
#                     targets (the receiver); written only with --demo
#   demo_run          starts the sink, the receiver and tocsind, creates the organisation, its
#                     webhook and its email contact point, prints what to try, and waits for
#                     tocsind; on exit (Ctrl-C, tocsind ending, an error) stops all three
# It uses the quickstart's variables: HTTP_PORT, DATA, CONFIG, TOCSIND, TOKEN, and die/banner.
#
# The receiver reads its secret from .data/demo/webhook-secret (0600), written once the webhook
# is created; it prints "webhook <type> <code> id=<webhook-id> signature ok" for each delivery
# and answers 401 to anything that does not verify. Emails are printed (subject and first lines)
# and saved to .data/demo/mail/<id>.eml. Their output goes to the terminal, each line prefixed
# ([receiver], [mail sink]), and to .data/demo/receiver.log and .data/demo/mail.log.

DEMO_WEBHOOK_PORT=${TOCSIN_DEMO_WEBHOOK_PORT:-8081}
DEMO_SMTP_PORT=${TOCSIN_DEMO_SMTP_PORT:-2525}
DEMO_DIR=$DATA/demo
DEMO_RECEIVER=build/tests/webhook_receiver_server
DEMO_SINK=build/tests/fake_smtp_server
DEMO_ORG_SLUG=demo-law
DEMO_ADDRESS=caseworker@demo-law.example.org
DEMO_MP_ADDRESS=caseworker@demo-mp-office.example.org
DEMO_PIDS=()

demo_check_ports() {
  local port
  for port in "$DEMO_WEBHOOK_PORT" "$DEMO_SMTP_PORT"; do
    [[ $port =~ ^[0-9]+$ ]] || die "bad port for --demo: $port"
    if listening "$port"; then
      die "something already listens on 127.0.0.1:$port; choose the demo's ports with" \
        "TOCSIN_DEMO_WEBHOOK_PORT=... and TOCSIN_DEMO_SMTP_PORT=..."
    fi
  done
}

demo_config() {
  cat <<EOF

# --demo only: emails go to the local sink (a fake SMTP relay on loopback, so no TLS), and
# webhooks may reach the local receiver (plain http on loopback). Never in production.
[email]
smtp_url = "smtp://127.0.0.1:$DEMO_SMTP_PORT"
starttls = "off"
from = "alerts@tocsin-demo.example.org"

[webhooks]
allow_private_targets = true
allow_http = true
EOF
}

# Stops what demo_run started (TERM, then waits for each).
demo_stop() {
  local pid
  for pid in "${DEMO_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${DEMO_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  DEMO_PIDS=()
}

# Runs "$@" in the background with its output on the terminal (each line prefixed with $1) and
# appended to $2; sets DEMO_LAST_PID. The rest of "$@" is the command.
demo_spawn() {
  local prefix=$1 log=$2
  shift 2
  "$@" > >(tee -a "$log" | sed -u "s/^/$prefix /") 2>&1 &
  DEMO_LAST_PID=$!
  DEMO_PIDS+=("$DEMO_LAST_PID")
}

# Waits (up to 15 s) until the log $2 of process $1 says "listening"; dies naming $3 otherwise.
demo_wait_listening() {
  local pid=$1 log=$2 what=$3 i
  for ((i = 0; i < 150; ++i)); do
    grep -q '^listening ' "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || die "$what exited at start (see $log)"
    sleep 0.1
  done
  die "$what did not start within 15 s (see $log)"
}

# curl to tocsind with the quickstart's coordinator token; prints the body, then the status code
# on a line of its own.
demo_api() {
  local method=$1 path=$2
  shift 2
  curl -s -X "$method" -H "Authorization: Bearer $TOKEN" -w '\n%{http_code}\n' "$@" \
    "http://127.0.0.1:$HTTP_PORT/v1/networks/demo$path"
}

# The organisation's id: created, or found when an earlier run created it.
demo_organisation() {
  local out status id
  out=$(demo_api POST /organisations -d '{"name":"Demo Law Centre","slug":"'"$DEMO_ORG_SLUG"'",
    "kinds":["detention","removal"],"language":"en"}')
  status=$(tail -n 1 <<<"$out")
  if [[ $status == 409 ]]; then
    out=$(demo_api GET /organisations)
    id=$(grep -o '"id":[0-9]*,"slug":"'"$DEMO_ORG_SLUG"'"' <<<"$out" | grep -o '[0-9][0-9]*' | head -n 1 || true)
  elif [[ $status == 201 ]]; then
    id=$(head -n 1 <<<"$out" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2 || true)
  fi
  [[ -n ${id:-} ]] || die "cannot create the demo organisation: HTTP $status $(head -n 1 <<<"$out")"
  echo "$id"
}

# A fresh webhook to the receiver (earlier runs' are deleted: their secrets were shown once);
# its secret goes to the receiver's file.
demo_webhook() {
  local org=$1 out status old secret
  out=$(demo_api GET "/organisations/$org/webhooks")
  while read -r old; do
    if [[ -n $old ]]; then demo_api DELETE "/organisations/$org/webhooks/$old" >/dev/null; fi
  done < <(grep -o '"id":[0-9]*,"organisation_id"' <<<"$out" | grep -o '^"id":[0-9]*' | cut -d: -f2 || true)
  out=$(demo_api POST "/organisations/$org/webhooks" -d '{"url":"http://127.0.0.1:'"$DEMO_WEBHOOK_PORT"'/tocsin",
    "events":["alert.raised","alert.updated","alert.resolved","alert.cancelled","answer.recorded","escalation.step",
      "case.ask"]}')
  status=$(tail -n 1 <<<"$out")
  secret=$(grep -o '"secret":"whsec_[A-Za-z0-9+/=]*"' <<<"$out" | cut -d'"' -f4 || true)
  [[ $status == 201 && -n $secret ]] || die "cannot create the demo webhook: HTTP $status $(head -n 1 <<<"$out")"
  (
    umask 077
    printf '%s\n' "$secret" >"$DEMO_DIR/webhook-secret.tmp"
  )
  mv -f "$DEMO_DIR/webhook-secret.tmp" "$DEMO_DIR/webhook-secret"
}

# The organisation's email contact point, when the server has them (404 until it does). Sets
# DEMO_EMAIL (1 when there is one) and DEMO_EMAIL_NOTE (what to tell the user).
demo_email() {
  local org=$1 out status
  out=$(demo_api POST "/organisations/$org/emails" -d '{"address":"'"$DEMO_ADDRESS"'"}')
  status=$(tail -n 1 <<<"$out")
  DEMO_EMAIL=0
  case $status in
    201 | 409)
      DEMO_EMAIL=1
      DEMO_EMAIL_NOTE="email $DEMO_ADDRESS -> the mail sink on 127.0.0.1:$DEMO_SMTP_PORT"
      ;;
    404)
      DEMO_EMAIL_NOTE="no email: this server has no organisation emails yet"
      DEMO_EMAIL_NOTE+=" (POST .../organisations/$org/emails answered 404), skipped"
      ;;
    *) DEMO_EMAIL_NOTE="email not added: HTTP $status $(head -n 1 <<<"$out")" ;;
  esac
  if ((!DEMO_EMAIL)); then echo "quickstart --demo: $DEMO_EMAIL_NOTE" >&2; fi
}

# The demo case (issue 13), once: "A." with the law centre as its legal contact (consent on
# file), an MP's office as its mp contact without consent (with an email contact point to the
# sink), and a campaign tree of two demo members. Sets DEMO_CASE_NOTE.
demo_case() {
  local org=$1 out status mp ids case_id first second
  DEMO_CASE_NOTE="no demo case"
  out=$(demo_api GET "/cases")
  [[ $(tail -n 1 <<<"$out") == 200 ]] || return 0  # a server without cases
  case_id=$(grep -o '"id":[0-9]*,"pseudonym":"A. (demo)"' <<<"$out" | grep -o '[0-9][0-9]*' | head -n 1 || true)
  if [[ -z $case_id ]]; then
    out=$(demo_api POST /organisations -d '{"name":"Demo MP office","slug":"demo-mp-office","language":"en"}')
    mp=$(head -n 1 <<<"$out" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2 || true)
    if [[ -z $mp ]]; then
      mp=$(demo_api GET /organisations | grep -o '"id":[0-9]*,"slug":"demo-mp-office"' | grep -o '[0-9][0-9]*' | head -n 1 || true)
    fi
    ids=$(demo_api GET /members | grep -o '"id":[0-9]*' | cut -d: -f2 | head -n 2 | tr '\n' ' ')
    read -r first second <<<"$ids"
    demo_api PUT /trees/demo-campaign -d '{"mode":"automated","wait":"5m","nodes":[{"member":'"$first"',"children":['"$second"']}]}' >/dev/null
    out=$(demo_api POST /cases -d '{"name":"Demo Person","pseudonym":"A. (demo)","language":"ar","areas":["SE15"],
      "home_office_ref":"DEMO-0001","public":false,"consent":{"legal":"2026-09-14"}}')
    status=$(tail -n 1 <<<"$out")
    case_id=$(head -n 1 <<<"$out" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2 || true)
    [[ $status == 201 && -n $case_id ]] || { DEMO_CASE_NOTE="demo case not created: HTTP $status"; return 0; }
    demo_api POST "/cases/$case_id/contacts" -d '{"role":"legal","organisation":'"$org"'}' >/dev/null
    [[ -n $mp ]] && demo_api POST "/cases/$case_id/contacts" -d '{"role":"mp","organisation":'"$mp"'}' >/dev/null
    demo_api POST "/cases/$case_id/contacts" -d '{"role":"campaign","tree":"demo-campaign"}' >/dev/null
  fi
  # The MP's office is told by email (to the sink) too: without consent, nothing of the case.
  mp=$(demo_api GET /organisations | grep -o '"id":[0-9]*,"slug":"demo-mp-office"' | grep -o '[0-9][0-9]*' | head -n 1 || true)
  if [[ -n $mp ]]; then
    demo_api POST "/organisations/$mp/emails" -d '{"address":"'"$DEMO_MP_ADDRESS"'"}' >/dev/null
  fi
  DEMO_CASE_NOTE="case $case_id \"A. (demo)\": legal = the law centre, mp = Demo MP office (no consent), campaign tree demo-campaign"
  DEMO_CASE=$case_id
}

demo_run() {
  mkdir -p "$DEMO_DIR/mail"
  chmod 700 "$DEMO_DIR" "$DEMO_DIR/mail"
  [[ -x $DEMO_RECEIVER && -x $DEMO_SINK ]] || die "$DEMO_RECEIVER or $DEMO_SINK was not built"
  : >"$DEMO_DIR/receiver.log"
  : >"$DEMO_DIR/mail.log"
  trap demo_stop EXIT
  trap 'exit 130' INT TERM

  banner "--demo: starting the mail sink (127.0.0.1:$DEMO_SMTP_PORT) and the webhook receiver (127.0.0.1:$DEMO_WEBHOOK_PORT)"
  demo_spawn "[mail sink]" "$DEMO_DIR/mail.log" \
    "$DEMO_SINK" --port "$DEMO_SMTP_PORT" --print --save "$DEMO_DIR/mail"
  demo_wait_listening "$DEMO_LAST_PID" "$DEMO_DIR/mail.log" "the mail sink"
  demo_spawn "[receiver]" "$DEMO_DIR/receiver.log" \
    "$DEMO_RECEIVER" --port "$DEMO_WEBHOOK_PORT" --secret-file "$DEMO_DIR/webhook-secret"
  demo_wait_listening "$DEMO_LAST_PID" "$DEMO_DIR/receiver.log" "the webhook receiver"

  banner "Starting tocsind on http://127.0.0.1:$HTTP_PORT"
  "$TOCSIND" --config "$CONFIG" serve &
  local tocsind_pid=$! i
  DEMO_PIDS+=("$tocsind_pid")
  for ((i = 0; i < 300; ++i)); do
    curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$tocsind_pid" 2>/dev/null || die "tocsind exited at start"
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 || die "tocsind did not answer within 30 s"

  banner "--demo: organisation \"Demo Law Centre\" ($DEMO_ORG_SLUG) with a webhook to the receiver"
  local org
  org=$(demo_organisation)
  demo_webhook "$org"
  demo_email "$org"
  DEMO_CASE=""
  demo_case "$org"

  cat <<EOF

Tocsin quick start is ready, with the demo organisation.
  Coordinator token (network "demo"):  $TOKEN
  Organisation "Demo Law Centre" (id $org, kinds detention and removal):
    webhook -> the receiver on 127.0.0.1:$DEMO_WEBHOOK_PORT (secret in $DEMO_DIR/webhook-secret)
    $DEMO_EMAIL_NOTE
  Try it (in another terminal): raise a detention alert
    curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$HTTP_PORT/v1/networks/demo/alerts \\
      -d '{"kind":"detention","areas":["SE15"],"location":"Mare Street police station","details":"Held since 6am"}'
  and watch this terminal: "[receiver] webhook alert.raised <code> ... signature ok"$(
    ((DEMO_EMAIL)) && printf '\n  and "[mail sink] email ..." (each saved in %s/mail/)' "$DEMO_DIR")
  Case: $DEMO_CASE_NOTE$(
    [[ -n $DEMO_CASE ]] && printf '\n    record removal directions and read its timeline:\n    curl -s -H "Authorization: Bearer %s" http://127.0.0.1:%s/v1/networks/demo/cases/%s/events -d %s\n    curl -s -H "Authorization: Bearer %s" http://127.0.0.1:%s/v1/networks/demo/cases/%s/timeline' \
      "$TOKEN" "$HTTP_PORT" "$DEMO_CASE" "'{\"type\":\"removal_directions\",\"deadline\":\"$(date -u -d '+3 days' +%Y-%m-%dT06:10:00Z)\"}'" "$TOKEN" "$HTTP_PORT" "$DEMO_CASE"
    [[ -n $DEMO_CASE ]] && printf '\n    then a flight in under a day: the schedule is replaced and its 24h ask goes out at once, to the\n    law centre (webhook case.ask and email, with the details) and the MP office (email, nothing of the case):\n    curl -s -H "Authorization: Bearer %s" http://127.0.0.1:%s/v1/networks/demo/cases/%s/events -d %s' \
      "$TOKEN" "$HTTP_PORT" "$DEMO_CASE" "'{\"type\":\"removal_directions\",\"deadline\":\"$(date -u -d '+20 hours' +%Y-%m-%dT%H:%M:00Z)\"}'")
  Street report (a demo reporter, Robin, then a demo verifier of SE15, Nakhla; signed as Twilio
  would sign them):
    TOCSIN_PORT=$HTTP_PORT deploy/demo_sms.sh +447700900789 "RAID SE15 Rye Lane estate, 3 vans"
    TOCSIN_PORT=$HTTP_PORT deploy/demo_sms.sh +447700900123 "1"
    curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP_PORT/v1/networks/demo/alerts?status=open"
  (the report is held while SE15's verifiers are asked; the verifier's 1 raises the raid alert)
  Admin token, data key and PostgreSQL password: $SECRETS (keep it private)
  Ctrl-C stops tocsind, the receiver and the mail sink; PostgreSQL keeps running
  (stop it with: deploy/pg.sh stop $PGDIR)

EOF
  local rc=0
  wait "$tocsind_pid" || rc=$?
  return "$rc"
}
