#!/usr/bin/env bash
# Builds Tocsin with AddressSanitizer and UBSan into build-asan/ and runs the unit tests and
# every integration test (the real binary started, loaded, signalled and stopped: SIGTERM under
# load, SIGKILL, restarts) against a throwaway PostgreSQL. A sanitizer report in a server makes
# its exit status non-zero, which those tests check, and is printed in its log. Not part of
# deploy/test.sh (it doubles the build time); run it after changing threads, shutdown or
# lifetimes.
#
#   deploy/sanitize.sh
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
deploy/install_deps.sh
export CCACHE_DIR=${CCACHE_DIR:-${HOME:-$PWD}/.cache/ccache}
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOCSIN_SANITIZE=ON >/dev/null
cmake --build build-asan -j "${JOBS:-2}" --target tocsind tocsin_pg_tests tocsin_unit_tests
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}
build-asan/tests/tocsin_unit_tests
TOCSIN_BUILD_DIR=build-asan TOCSIN_SKIP_BUILD=1 exec deploy/test.sh -R pg
