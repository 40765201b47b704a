# Shared helpers for the smoke tests (sourced).
set -euo pipefail
: "${SLUICE_TEST_KUBECONFIG:?not set: start the cluster with tests/cluster/up.sh and source its env file}"
: "${SLUICE_TEST_KUBECTL:?not set: start the cluster with tests/cluster/up.sh and source its env file}"
kc() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
# A namespace per test run, removed on exit (best effort).
make_ns() {
	NS="smoke-$1-$RANDOM$RANDOM"
	kc create namespace "$NS" >/dev/null
	trap 'kc delete namespace "$NS" --wait=false >/dev/null 2>&1 || true' EXIT
}
