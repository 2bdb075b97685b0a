#!/usr/bin/env bash
# Posts one SMS to the quickstart's tocsind as Twilio would: signed with the quickstart's
# TWILIO_AUTH_TOKEN (.data/secrets.env), to the demo network's number, with a fresh MessageSid;
# prints tocsind's TwiML answer. For demos only (README "Reports from the street").
#   deploy/demo_sms.sh FROM BODY     e.g. deploy/demo_sms.sh +447700900789 "RAID SE15 Rye Lane, 3 vans"
# Environment: TOCSIN_PORT (8080), TOCSIN_DEMO_NUMBER (+447700900001, the demo network's).
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
[[ $# -eq 2 ]] || { echo "usage: deploy/demo_sms.sh FROM BODY" >&2; exit 2; }
FROM=$1 BODY=$2
TO=${TOCSIN_DEMO_NUMBER:-+447700900001}
URL="http://127.0.0.1:${TOCSIN_PORT:-8080}/twilio/sms"
AUTH=$(sed -n 's/^TWILIO_AUTH_TOKEN=//p' .data/secrets.env)
[[ -n $AUTH ]] || { echo "demo_sms: no TWILIO_AUTH_TOKEN in .data/secrets.env (run deploy/quickstart.sh first)" >&2; exit 1; }
SID=SMdemo$(date +%s%N)
# Twilio's signature: HMAC-SHA1, keyed with the auth token, over the URL and the sorted
# form fields (each name then its value), base64.
SIG=$(python3 -c '
import base64, hashlib, hmac, sys
url, token, *pairs = sys.argv[1:]
fields = dict(zip(pairs[0::2], pairs[1::2]))
data = url + "".join(k + fields[k] for k in sorted(fields))
print(base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode())
' "$URL" "$AUTH" From "$FROM" To "$TO" Body "$BODY" MessageSid "$SID")
curl -sS "$URL" -H "X-Twilio-Signature: $SIG" --data-urlencode "From=$FROM" --data-urlencode "To=$TO" \
  --data-urlencode "Body=$BODY" --data-urlencode "MessageSid=$SID"
echo
