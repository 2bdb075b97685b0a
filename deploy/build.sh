#!/usr/bin/env bash
# Configures and builds Tocsin into build/ (RelWithDebInfo). ccache is used automatically when
# installed (CMakeLists.txt sets the compiler launcher). Extra arguments go to the configure step,
# e.g. deploy/build.sh -DBUILD_TESTING=OFF. JOBS sets build parallelism (default 2).
set -euo pipefail

cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

export CCACHE_DIR=${CCACHE_DIR:-${HOME:-$PWD}/.cache/ccache}
mkdir -p -- "$CCACHE_DIR"
# Hit the cache from any checkout: paths under the tree count as relative, the working directory
# is not hashed (debug info may then name another checkout's path), and the precompiled Asio/Beast
# header is cacheable.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build build -j "${JOBS:-2}"
