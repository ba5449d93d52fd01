#!/usr/bin/env bash
# Build every fuzz target and run each a few seconds on its seeds plus the regression
# inputs; exits non-zero on the first crash, hang or out-of-memory.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and python3 (for seed.sh).
# Usage: fuzz/smoke.sh [SECONDS per target, default 5]
set -euo pipefail
secs=${1:-5}
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
# No sanitizer: the library is safe Rust, and ASan would halve the executions; debug
# assertions on so integer overflow panics instead of wrapping.
flags=(--sanitizer none --debug-assertions)
./seed.sh
cargo fuzz build "${flags[@]}"
for target in $(cargo fuzz list); do
    mkdir -p "corpus/$target" "regressions/$target"
    echo "== $target"
    # Every seed and regression input runs once, then libFuzzer mutates for $secs s. New
    # inputs go to a scratch directory (the first one given), so the corpus stays as is.
    scratch=$(mktemp -d)
    log="$scratch.log"
    status=0
    cargo fuzz run "${flags[@]}" "$target" "$scratch" "corpus/$target" "regressions/$target" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log" >&2
    fi
    rm -rf "$scratch" "$log"
    if [ "$status" -ne 0 ]; then
        echo "fuzz target $target failed (exit $status); the input is under fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
echo "smoke: all targets ran clean for ${secs}s each"
