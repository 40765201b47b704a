#!/usr/bin/env bash
# Runs every test tier from the given (sanitizer) build directory:
#   1. unit + integration against etcd + kube-apiserver + S3 (no controllers)
#   2. e2e against the full control plane (controller-manager, scheduler, kwok)
#      and the real node (kubelet, containerd, the images of `make images`)
# Each cluster is always stopped, even on failure or interrupt. Exits non-zero
# when any test failed or a cluster could not start.
set -uo pipefail
BUILD_DIR="${1:?usage: run-tests.sh BUILD_DIR [FUZZ_BUILD_DIR]}"
FUZZ_DIR="${2:-}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLUSTER="$ROOT/tests/cluster"
BASE_RUN="${TMPDIR:-/tmp}/sluice-test-$$"
JOBS="${SLUICE_TEST_JOBS:-2}"

current_run=""
cleanup() { [[ -n "$current_run" ]] && SLUICE_TESTENV_RUN="$current_run" bash "$CLUSTER/down.sh"; current_run=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# tier NAME UP_FLAGS CTEST_LABEL_REGEX
tier() {
	local name="$1" flags="$2" labels="$3" start=$SECONDS
	current_run="$BASE_RUN-$name"
	echo "== $name: starting control plane (up.sh $flags)"
	if ! SLUICE_TESTENV_RUN="$current_run" bash "$CLUSTER/up.sh" $flags; then
		echo "== $name: control plane failed to start" >&2
		cleanup
		return 1
	fi
	echo "== $name: control plane ready in $((SECONDS - start))s"
	local rc=0
	(
		source "$current_run/env"
		cd "$BUILD_DIR" && ctest -L "$labels" -j "$JOBS" --output-on-failure --no-tests=error
	) 2>&1 | tee "$BASE_RUN-$name.out" || rc=1
	count "$BASE_RUN-$name.out"
	cleanup
	return $rc
}

# Adds a ctest summary ("95% tests passed, 2 tests failed out of 40") to
# the totals.
PASSED=0 FAILED=0
count() {
	local line total failed
	line="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -1)"
	if [[ -z "$line" ]]; then FAILED=$((FAILED + 1)); return; fi
	failed="$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")"
	total="$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")"
	PASSED=$((PASSED + total - failed))
	FAILED=$((FAILED + failed))
}

rc=0
set -o pipefail
if [[ -n "$FUZZ_DIR" ]]; then
	echo "== fuzz: libFuzzer targets, bounded time"
	(cd "$FUZZ_DIR" && ctest -R '^fuzz_' --output-on-failure --no-tests=error) 2>&1 | tee "$BASE_RUN-fuzz.out" || rc=1
	count "$BASE_RUN-fuzz.out"
fi
tier integration "--s3" '^(unit|integration|faults)$' || rc=1
tier e2e "--full --real-node" '^e2e$' || rc=1
rm -f "$BASE_RUN"-*.out
if ((rc)); then echo "== some tests FAILED" >&2; else echo "== all test tiers passed"; fi
echo "Total: $PASSED passed, $FAILED failed"
exit $rc
