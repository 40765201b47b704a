#!/usr/bin/env bash
# The long fuzz setting (issue 15): every libFuzzer target of a fuzz build
# (make build-fuzz) for SECONDS each, from the checked-in seeds, then the
# executions each made and their total. Fails on any crash, sanitizer
# report or broken invariant, as the 30 s ctest runs do. Not part of make
# test: 4 targets x SECONDS of one core.
#   usage: tests/fuzz_long.sh [FUZZ_BUILD_DIR] [SECONDS]   (build/fuzz, 600)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build/fuzz}" SECONDS_EACH="${2:-600}"
# target:kind:directory of its seeds and dictionary
targets=(fuzz_expression:expression:pipeline fuzz_model:model:pipeline
	fuzz_watch_event:watch_event:kube fuzz_termination_message:termination_message:controller)
total=0 rc=0
for t in "${targets[@]}"; do
	IFS=: read -r target kind dir <<<"$t"
	bin="$(find "$BUILD/tests/$dir" -maxdepth 2 -type f -name "$target" -perm -u+x | head -1)"
	[[ -n "$bin" ]] || { echo "FAIL: $target is not built in $BUILD (make build-fuzz)" >&2; exit 1; }
	corpus="$(mktemp -d)"
	log="$(mktemp)"
	if ! "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-dict="$ROOT/tests/$dir/fuzz/$kind.dict" -print_final_stats=1 \
		"$corpus" "$ROOT/tests/$dir/fuzz/seeds/$kind" >"$log" 2>&1; then
		echo "FAIL: $target found a problem:" >&2
		grep -A30 -m1 -E 'ERROR|runtime error|deadly signal|Assertion' "$log" >&2 || tail -n 40 "$log" >&2
		rc=1
	fi
	runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
	echo "$target: ${runs:-0} executions in ${SECONDS_EACH} s, $(find "$corpus" -type f | wc -l) corpus entries"
	total=$((total + ${runs:-0}))
	rm -rf "$corpus" "$log"
done
echo "fuzz (long): $total executions across ${#targets[@]} targets, $( ((rc == 0)) && echo 0 || echo some) crashes"
exit $rc
