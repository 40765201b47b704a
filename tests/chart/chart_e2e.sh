#!/usr/bin/env bash
# e2e: the chart's permissions are sufficient. On the full local control plane
# (up.sh --full): install the chart's CRDs, ServiceAccount and RBAC (two
# watched namespaces, so Roles only; leader election on), run sluice-operator
# as that ServiceAccount (a short-lived token from the TokenRequest API, handed
# over through a pipe so it never touches the disk), and run the Abalone
# example to Succeeded in both namespaces, then a selective re-run of Train.
# An execution in a third, unwatched namespace must stay untouched. The
# operator log must not show a single Forbidden answer.
# usage: chart_e2e.sh OPERATOR_BIN COMPLETER_BIN
set -euo pipefail
OPERATOR="${1:?usage: chart_e2e.sh OPERATOR_BIN COMPLETER_BIN}"
COMPLETER="${2:?usage: chart_e2e.sh OPERATOR_BIN COMPLETER_BIN}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CHART="$ROOT/charts/sluice"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
: "${SLUICE_TEST_KUBECONFIG:?is not set: start the cluster with tests/cluster/up.sh --full and source its env file}"
: "${SLUICE_TEST_KUBECTL:?is not set: start the cluster with tests/cluster/up.sh --full and source its env file}"
: "${SLUICE_TEST_HELM:?is not set: start the cluster with tests/cluster/up.sh --full and source its env file}"
[[ "${SLUICE_TEST_FULL:-0}" == 1 ]] || fail "needs the full control plane (up.sh --full)"
k() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }

RUN_ID="$(date +%s)-$$"
REL="sluice-e2e-$RUN_ID"
OPNS="sluice-chart-e2e-op-$RUN_ID"
NS="sluice-chart-e2e-$RUN_ID"
NS2="sluice-chart-e2e2-$RUN_ID"
UNWATCHED="sluice-chart-e2e3-$RUN_ID"
LOGS="$(mktemp -d)"
pids=()
cleanup() {
	local rc=$? p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	k delete namespace "$OPNS" "$NS" "$NS2" "$UNWATCHED" --wait=false >/dev/null 2>&1 || true
	k delete clusterrole,clusterrolebinding -l "app.kubernetes.io/instance=$REL" >/dev/null 2>&1 || true
	# Logs stay for a post-mortem when the test failed.
	if ((rc == 0)); then rm -rf "$LOGS"; else echo "logs kept in $LOGS" >&2; fi
}
trap cleanup EXIT
dump() { # EXECUTION [NAMESPACE]
	local ns="${2:-$NS}"
	k -n "$ns" get plx,jobs,pods -o wide >&2 || true
	k -n "$ns" get plx "$1" -o jsonpath='{.status}' >&2 || true
	echo >&2
	grep -m1 -A12 "ERROR: AddressSanitizer" "$LOGS/operator.log" >&2 || tail -n 30 "$LOGS/operator.log" >&2
}

k apply --server-side --force-conflicts --field-manager=sluice-chart-e2e -f "$CHART/crds/" >/dev/null
# shellcheck source=../common/crds.sh
source "$ROOT/tests/common/crds.sh"
wait_crds_established k
k create namespace "$OPNS" >/dev/null
for n in "$NS" "$NS2" "$UNWATCHED"; do k create namespace "$n" >/dev/null; done
version="$(k version -o json | python3 -c 'import json, sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])')"
"$SLUICE_TEST_HELM" template "$REL" "$CHART" -n "$OPNS" --kube-version "$version" \
	--set-json "rbac.watchNamespaces=[\"$NS\",\"$NS2\"]" --set leaderElection.enabled=true \
	--set stepServiceAccount.create=true --set-json "stepServiceAccount.namespaces=[\"$NS\",\"$NS2\"]" \
	--show-only templates/serviceaccount.yaml --show-only templates/rbac.yaml \
	--show-only templates/step-serviceaccount.yaml | k apply -f - >/dev/null
for n in "$NS" "$NS2" "$UNWATCHED"; do k -n "$n" apply -f "$ROOT/examples/s3-credentials-secret.yaml" >/dev/null; done

# The operator's kubeconfig: the cluster of the admin kubeconfig, the
# ServiceAccount's token as the user. Held in a variable, read through a pipe.
server="$(k config view --raw --minify -o jsonpath='{.clusters[0].cluster.server}')"
ca="$(k config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
[[ -n "$server" && -n "$ca" ]] || fail "cannot read server and CA from $SLUICE_TEST_KUBECONFIG"
token="$(k -n "$OPNS" create token "$REL" --duration=1h)"
kubeconfig="apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: \"$server\", certificate-authority-data: \"$ca\"}}]
users: [{name: sa, user: {token: \"$token\"}}]
contexts: [{name: c, context: {cluster: c, user: sa}}]
current-context: c
"
as_operator() { "$SLUICE_TEST_KUBECTL" --kubeconfig <(printf '%s' "$kubeconfig") "$@"; }
[[ "$(as_operator auth whoami -o jsonpath='{.status.userInfo.username}')" == "system:serviceaccount:$OPNS:$REL" ]] ||
	fail "the token does not authenticate as the chart's ServiceAccount"
[[ "$(as_operator auth can-i get secrets -n "$NS" 2>/dev/null || true)" == no ]] ||
	fail "the operator's token can read Secrets"

"$OPERATOR" --kubeconfig <(printf '%s' "$kubeconfig") --namespace "$NS,$NS2" \
	--leader-elect --lease-namespace "$OPNS" --lease-name "$REL" \
	--metrics-bind-address 0 --health-probe-bind-address 0 \
	--runner-image registry.example/sluice-runner:0.1.0 >"$LOGS/operator.log" 2>&1 &
pids+=($!)
unset token kubeconfig
for n in "$NS" "$NS2"; do
	"$COMPLETER" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$n" --property Evaluate.mse=4.37 \
		>"$LOGS/completer-$n.log" 2>&1 &
	pids+=($!)
done

# shellcheck source=../common/wait_phase.sh
source "$(dirname "$0")/../common/wait_phase.sh"
wait_phase() { wait_terminal_phase "${2:-$NS}" "$1"; } # EXECUTION [NAMESPACE]

for n in "$UNWATCHED" "$NS" "$NS2"; do k -n "$n" apply -f "$ROOT/examples/abalone/pipeline.yaml" >/dev/null; done
ignored="$(k -n "$UNWATCHED" create -f "$ROOT/examples/abalone/execution.yaml" -o jsonpath='{.metadata.name}')"
full="$(k -n "$NS" create -f "$ROOT/examples/abalone/execution.yaml" -o jsonpath='{.metadata.name}')"
full2="$(k -n "$NS2" create -f "$ROOT/examples/abalone/execution.yaml" -o jsonpath='{.metadata.name}')"
phase="$(wait_phase "$full")"
[[ "$phase" == Succeeded ]] || { dump "$full"; fail "full run $full ended '$phase'"; }
echo "ok: Abalone run $full Succeeded under the chart's ServiceAccount"
phase="$(wait_phase "$full2" "$NS2")"
[[ "$phase" == Succeeded ]] || { dump "$full2" "$NS2"; fail "full run $full2 in the second watched namespace ended '$phase'"; }
echo "ok: Abalone run $full2 Succeeded in the second watched namespace $NS2"

lease="$(k -n "$OPNS" get lease "$REL" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null || true)"
[[ -n "$lease" ]] || fail "no leader holds Lease $OPNS/$REL"
echo "ok: leader election through the chart's Lease permissions (holder $lease)"

sel="$(k -n "$NS" create -f "$ROOT/examples/abalone/selective-train.yaml" -o jsonpath='{.metadata.name}')"
phase="$(wait_phase "$sel")"
[[ "$phase" == Succeeded ]] || { dump "$sel"; fail "selective run $sel ended '$phase'"; }
src="$(k -n "$NS" get plx "$sel" -o jsonpath='{.status.selectiveExecution.sourceExecution}')"
[[ "$src" == "$full" ]] || fail "selective run's source is '$src', want $full"
echo "ok: selective Train run $sel Succeeded with source $full"

# By now the operator has long had the unwatched execution in reach, had it
# been watching that namespace.
# (Assigned first: a failing kubectl inside [[ ]] would pass unnoticed.)
ignored_phase="$(k -n "$UNWATCHED" get plx "$ignored" -o jsonpath='{.status.phase}')"
[[ -z "$ignored_phase" ]] || fail "execution $ignored in the unwatched namespace $UNWATCHED got phase $ignored_phase"
unwatched_jobs="$(k -n "$UNWATCHED" get jobs -o name)"
[[ -z "$unwatched_jobs" ]] || fail "Jobs were created in the unwatched namespace $UNWATCHED: $unwatched_jobs"
echo "ok: the execution in the unwatched namespace $UNWATCHED was left alone"

if grep -qi forbidden "$LOGS/operator.log"; then
	grep -m5 -i forbidden "$LOGS/operator.log" >&2
	fail "the operator was refused something"
fi
echo "ok: no Forbidden answer in the operator log"
