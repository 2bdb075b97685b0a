#!/usr/bin/env bash
# Installs the Debian 12 packages Tocsin needs to build, test and run. Idempotent: apt is only
# called when a package is missing (then `apt-get update` once, then one install). Silent when
# everything is present; uses sudo when not run as root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpqxx-dev libspdlog-dev libcurl4-openssl-dev libssl-dev libsodium-dev libtomlplusplus-dev catch2
  postgresql postgresql-client curl openssl ca-certificates
  chromium chromium-driver python3-selenium   # the web console's browser test (tests/browser)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install_deps: missing packages (${missing[*]}) and no sudo; run this as root" >&2
  exit 1
fi

echo "install_deps: installing ${missing[*]}" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run_apt() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$log" 2>&1; }
if ! run_apt update -q || ! run_apt install -y -q --no-install-recommends "${missing[@]}"; then
  cat "$log" >&2
  echo "install_deps: apt-get failed" >&2
  exit 1
fi
