#!/usr/bin/env bash
# Fails (exit 1, naming the file and line) when a file of dispatch/ includes a header of a layer
# it may not use (DESIGN.md, "Layers of dispatch/"). The build runs it before compiling dispatch/,
# so an include that climbs a layer stops the build.
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

# layer: the layers its files may include (besides its own)
declare -A allowed=(
  [util]=""
  [message]="util"
  [net]="util"
  [model]="util message"
  [store]="util model"
  [fanout]="util model message store"
  [channels]="util message net"
  [engine]="util message net model store fanout channels"
)
status=0
for layer in "${!allowed[@]}"; do
  [[ -d dispatch/$layer ]] || continue
  while IFS= read -r hit; do
    used=${hit#*\"dispatch/}
    used=${used%%/*}
    [[ $used == "$layer" ]] && continue
    if [[ " ${allowed[$layer]} " != *" $used "* ]]; then
      echo "check_layers: ${hit%%:#include*}: dispatch/$layer may not include dispatch/$used" >&2
      status=1
    fi
  done < <(grep -rnE '^#include "dispatch/[a-z_]+/' "dispatch/$layer" || true)
done
for f in dispatch/*/*; do
  case ${f#dispatch/} in
    util/* | message/* | net/* | model/* | store/* | fanout/* | channels/* | engine/* | CMakeLists.txt) ;;
    *) echo "check_layers: $f is in no layer of DESIGN.md" >&2; status=1 ;;
  esac
done
if grep -rln 'boost/beast' dispatch >/dev/null 2>&1; then
  echo "check_layers: dispatch/ must not know HTTP: $(grep -rln 'boost/beast' dispatch | tr '\n' ' ')" >&2
  status=1
fi
exit $status
