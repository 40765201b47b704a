#!/usr/bin/env bash
# Runs every test tier from the given (sanitizer) build directory:
#   1. unit + integration against etcd + kube-apiserver + S3 (no controllers)
#   2. e2e against the full control plane (controller-manager, scheduler, kwok)
# Each cluster is always stopped, even on failure or interrupt. Exits non-zero
# when any test failed or a cluster could not start.
set -uo pipefail
BUILD_DIR="${1:?usage: run-tests.sh BUILD_DIR}"
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
	) || rc=1
	cleanup
	return $rc
}

rc=0
tier integration "--s3" '^(unit|integration)$' || rc=1
tier e2e "--full" '^e2e$' || rc=1
if ((rc)); then echo "== some tests FAILED" >&2; else echo "== all test tiers passed"; fi
exit $rc
