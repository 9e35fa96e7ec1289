#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer: tests that call kasio from several threads at
# once (connection requests, accumulator appends), and clients on an io_context run by several
# threads against librdkafka's mock cluster (threads_integration_tests). librdkafka itself is not
# instrumented; its C11 threads are routed through TSan's pthread interceptors by
# tests/support/tsan_c11_threads.cpp, without which TSan crashes on librdkafka's threads.
#   tests/tsan.sh            (CI runs it after the ASan+UBSan suite)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${KASIO_TSAN_DIR:-$root/build-tsan}

"$root/tests/support/install_deps.sh"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
rdkafka_prefix=$("$root/tests/support/build_librdkafka.sh" | tail -n 1)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DKASIO_WERROR=OFF -DKASIO_SANITIZE=thread \
  -DKASIO_BUILD_EXAMPLES=OFF -DKASIO_BUILD_BENCH=OFF -DKASIO_KAFKA_TESTS=OFF \
  -DKASIO_RDKAFKA_PREFIX="$rdkafka_prefix" >/dev/null
# No -Werror here: with TSan g++ 12 inlines the allocation test's replaced operator new
# into gtest and warns of a new/free mismatch that is not one; the main build checks warnings.
# Every test binary whose tests use threads; the -R pattern below picks those tests.
targets=(net_tests producer_tests metrics_tests threads_integration_tests decode_threads_integration_tests)
cmake --build "$build" -j2 --target "${targets[@]}"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp"
ctest --test-dir "$build" --output-on-failure -j2 --timeout 300 \
  -R 'threads|concurrent' --no-tests=error
