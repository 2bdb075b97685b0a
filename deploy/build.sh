#!/usr/bin/env bash
# Configures and builds Tocsin into build/ (RelWithDebInfo). ccache is used automatically when
# installed (CMakeLists.txt sets the compiler launcher). Extra arguments go to the configure step,
# e.g. deploy/build.sh -DBUILD_TESTING=OFF. JOBS sets build parallelism (default 2).
set -euo pipefail

cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

export CCACHE_DIR=${CCACHE_DIR:-${HOME:-$PWD}/.cache/ccache}
mkdir -p -- "$CCACHE_DIR"

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build build -j "${JOBS:-2}"
