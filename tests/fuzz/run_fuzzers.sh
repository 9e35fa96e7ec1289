#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (+ASan) and runs each for a bounded time. UBSan is
# left out here: clang 14 cannot compile Asio coroutines with it ("Cannot represent a difference
# across sections"); the g++ ASan+UBSan suite runs the bounded mutation tests instead.
#   tests/fuzz/run_fuzzers.sh [seconds per target, default 5]
# CI runs it briefly; run it with a larger number for a real fuzzing session. Crashing inputs
# are kept in $KASIO_FUZZ_DIR/artifacts (default build-fuzz/artifacts); exits non-zero on any.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-5}
build=${KASIO_FUZZ_DIR:-$root/build-fuzz}

"$root/tests/support/install_deps.sh"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DKASIO_FUZZ=ON -DKASIO_SANITIZE=address \
  -DKASIO_BUILD_TESTS=ON -DKASIO_BUILD_EXAMPLES=OFF -DKASIO_BUILD_BENCH=OFF >/dev/null
targets=$(cmake --build "$build" --target help | sed -n 's/^\(fuzz_[a-z_0-9]*\):.*/\1/p' | sort -u)
[[ -n "$targets" ]] || { echo "run_fuzzers: no fuzz targets found" >&2; exit 1; }
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets

# Seeds: librdkafka's record batches (byte 0 = 0: CRC checks on).
seeds=$build/seeds/fuzz_record_batch
mkdir -p "$seeds" "$build/artifacts"
for f in "$root"/tests/data/golden/record_batch_*.bin; do
  { printf '\0'; cat "$f"; } > "$seeds/$(basename "$f")"
done

failed=0 total_runs=0
for t in $targets; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus"
  extra=()
  [[ -d "$build/seeds/$t" ]] && extra+=("$build/seeds/$t")
  log=$build/$t.log
  if "$build/tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$t-" "$corpus" "${extra[@]}" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    total_runs=$((total_runs + ${runs:-0}))
    echo "fuzz: $t ok (${runs:-?} runs in ${seconds}s)"
  else
    failed=1
    echo "fuzz: $t FAILED, see $log"; tail -30 "$log"
  fi
done
echo "fuzz: $total_runs inputs in total"
exit "$failed"
