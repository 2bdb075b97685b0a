#!/usr/bin/env bash
# Quick start (README): installs dependencies, builds, and runs a local Tocsin with a demo
# network, all state under .data/ in the repo (private PostgreSQL cluster, secrets, config).
# Safe to run again: every step is idempotent, secrets are generated once and reused, and each
# run prints a fresh coordinator token. The server runs in the foreground (Ctrl-C stops it);
# the PostgreSQL cluster keeps running: stop it with `deploy/pg.sh stop .data/pg`.
#
# --demo also runs, beside tocsind, a local webhook receiver (build/tests/webhook_receiver_server:
# prints each delivery it gets and whether its signature verifies) and a local mail sink (the
# fake SMTP relay: prints each email's subject and first lines, saves it in .data/demo/mail/),
# points tocsind's [email] at the sink, allows loopback http webhook targets (this demo only),
# and creates the organisation "Demo Law Centre" (kinds detention, removal) with a webhook to the
# receiver (a fresh one, and a fresh secret, on every run) and an email contact point (skipped
# with a notice while the server has no organisation emails). Everything it starts is stopped
# when the quickstart exits; PostgreSQL keeps running as without --demo. See
# deploy/quickstart_demo.sh.
#
# Options (environment):
#   TOCSIN_PORT=8080       HTTP port of tocsind (listens on 127.0.0.1 only)
#   TOCSIN_PG_PORT=54329   port of the private PostgreSQL cluster (127.0.0.1 only)
#   JOBS=N                 build parallelism (see deploy/build.sh)
#   TOCSIN_TIME_SCALE=60   demos: every escalation wait runs that many times faster (tocsind reads it)
#   TOCSIN_DEMO_WEBHOOK_PORT=8081, TOCSIN_DEMO_SMTP_PORT=2525   --demo: the receiver's and the sink's
set -euo pipefail

cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

DEMO=0
for arg in "$@"; do
  case $arg in
    --demo) DEMO=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "quickstart: unknown argument '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

HTTP_PORT=${TOCSIN_PORT:-8080}
PG_PORT=${TOCSIN_PG_PORT:-54329}
DATA=.data
PGDIR=$DATA/pg
SECRETS=$DATA/secrets.env
CONFIG=$DATA/tocsin.toml
PGPASS=$DATA/pgpass
TOCSIND=build/server/tocsind

banner() { printf '==> %s\n' "$*"; }
die() { echo "quickstart: $*" >&2; exit 1; }

[[ $HTTP_PORT =~ ^[0-9]+$ ]] || die "bad TOCSIN_PORT: $HTTP_PORT"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if listening "$HTTP_PORT"; then
  die "something already listens on 127.0.0.1:$HTTP_PORT (another tocsind?); choose a port with TOCSIN_PORT=..."
fi
if ((DEMO)); then
  # shellcheck source=deploy/quickstart_demo.sh
  . deploy/quickstart_demo.sh
  demo_check_ports
fi

banner "Installing dependencies (deploy/install_deps.sh)"
deploy/install_deps.sh

banner "Building (deploy/build.sh)"
deploy/build.sh
[[ -x $TOCSIND ]] || die "$TOCSIND was not built"

mkdir -p "$DATA"
chmod 700 "$DATA"
# Secrets live only in $SECRETS (KEY=value lines, usable as a systemd EnvironmentFile) and reach
# tocsind through the environment. Losing TOCSIN_DATA_KEY makes the stored phone numbers unreadable.
if [[ ! -s $SECRETS ]]; then
  banner "Generating secrets ($SECRETS)"
  key=$("$TOCSIND" keygen)
  [[ $key =~ ^[0-9a-fA-F]{64}$ ]] || die "'tocsind keygen' did not print 64 hex characters"
  admin=$(head -c 48 /dev/urandom | base64 -w0 | tr -d '/+=')
  admin=adm_${admin:0:40}
  (
    umask 077
    printf 'TOCSIN_DATA_KEY=%s\nTOCSIN_ADMIN_TOKEN=%s\n' "$key" "$admin" >"$SECRETS.tmp"
  )
  mv -f "$SECRETS.tmp" "$SECRETS"
  unset key admin
fi
chmod 600 "$SECRETS"
set -a
# shellcheck source=/dev/null
. "./$SECRETS"
set +a
# The sandbox has no Twilio account, but replies posted by hand to /twilio/sms must still be
# signed: a local webhook token stands in for Twilio's auth token (added to older secrets too).
if [[ -z ${TWILIO_AUTH_TOKEN:-} ]]; then
  TWILIO_AUTH_TOKEN=sandbox_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf 'TWILIO_AUTH_TOKEN=%s\n' "$TWILIO_AUTH_TOKEN" >>"$SECRETS"
fi
export TWILIO_AUTH_TOKEN
# The PostgreSQL superuser's password (added to older secrets too).
if [[ -z ${TOCSIN_PG_PASSWORD:-} ]]; then
  TOCSIN_PG_PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf 'TOCSIN_PG_PASSWORD=%s\n' "$TOCSIN_PG_PASSWORD" >>"$SECRETS"
fi
[[ -n ${TOCSIN_DATA_KEY:-} && -n ${TOCSIN_ADMIN_TOKEN:-} ]] ||
  die "$SECRETS lacks TOCSIN_DATA_KEY or TOCSIN_ADMIN_TOKEN (delete it only if .data/pg holds no data you need)"
# The config's database.url must win: DATABASE_URL from the caller's environment would override it.
unset DATABASE_URL

banner "Starting PostgreSQL ($PGDIR, 127.0.0.1:$PG_PORT)"
# The cluster asks for TOCSIN_PG_PASSWORD (scram-sha-256); a cluster from an older quickstart,
# which trusted every local user, is given the password now (deploy/pg.sh).
export TOCSIN_PG_PASSWORD
deploy/pg.sh start "$PGDIR" "$PG_PORT"
deploy/pg.sh createdb "$PGDIR" "$PG_PORT" tocsin
# tocsind reads the password from a libpq password file named in the URL (passfile=), so
# neither the config nor any command line holds it; libpq ignores the file unless it is 0600.
(
  umask 077
  printf '127.0.0.1:%s:*:postgres:%s\n' "$PG_PORT" "$TOCSIN_PG_PASSWORD" >"$PGPASS.tmp"
)
mv -f "$PGPASS.tmp" "$PGPASS"
chmod 600 "$PGPASS"
DB_URL="$(deploy/pg.sh url "$PGDIR" "$PG_PORT" tocsin)?passfile=$PWD/$PGPASS"

# Generated on every run; secrets are not in it.
(
  umask 077
  cat >"$CONFIG.tmp" <<EOF
# Generated by deploy/quickstart.sh on every run: edit the script, not this file.
# Secrets (TOCSIN_DATA_KEY, TOCSIN_ADMIN_TOKEN) come from the environment: see secrets.env;
# the database password from pgpass (mode 600), named by passfile= in the URL.
[server]
listen = "127.0.0.1:$HTTP_PORT"
public_url = "http://127.0.0.1:$HTTP_PORT"

[database]
url = "$DB_URL"

[sms]
provider = "sandbox"
EOF
  if ((DEMO)); then demo_config >>"$CONFIG.tmp"; fi
)
mv -f "$CONFIG.tmp" "$CONFIG"

tocsind() { "$TOCSIND" --config "$CONFIG" "$@"; }

banner "Migrating the database"
tocsind migrate
banner "Creating the demo network and importing deploy/demo_members.csv"
tocsind network create --name "Demo Network" --slug demo --number +447700900001 --if-not-exists
tocsind members import --network demo deploy/demo_members.csv
TOKEN=$(tocsind token create --network demo --role coordinator --label quickstart)
[[ -n $TOKEN && $TOKEN != *[[:space:]]* ]] ||
  die "'tocsind token create' should print only the token on stdout, got: '$TOKEN'"

if ((DEMO)); then
  demo_run  # runs tocsind until it exits or Ctrl-C, then stops what the demo started
  exit
fi

cat <<EOF

Tocsin quick start is ready.
  Coordinator token (network "demo"):  $TOKEN
  Web console: open http://127.0.0.1:$HTTP_PORT/ and log in with that token.
  Or try the API (in another terminal):
    curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$HTTP_PORT/v1/networks/demo/members
  Calls (the sandbox simulates them: each is logged with its TwiML and its outcome): make the
  raid policy's first step call the area's responders, raise a raid, and watch this terminal
  for "sandbox call CS... plays: <Response>..." and "sandbox call CS...: completed":
    curl -s -H "Authorization: Bearer $TOKEN" -X PUT http://127.0.0.1:$HTTP_PORT/v1/networks/demo/policies/raid \
      -d '{"steps":[{"audience":{"roles":["responder"],"areas":"alert"},"channel":"voice"}]}'
    curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$HTTP_PORT/v1/networks/demo/alerts \
      -d '{"kind":"raid","areas":["SE15"],"location":"Rye Lane"}'
  Admin token, data key and PostgreSQL password: $SECRETS (keep it private; without
  TOCSIN_DATA_KEY the data is unreadable)
  PostgreSQL keeps running after tocsind exits; stop it with: deploy/pg.sh stop $PGDIR

==> Starting tocsind on http://127.0.0.1:$HTTP_PORT (Ctrl-C to stop)
EOF
exec "$TOCSIND" --config "$CONFIG" serve
