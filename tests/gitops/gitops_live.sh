#!/usr/bin/env bash
# Integration: what Argo CD (charts/sluice/argocd/*.lua under gopher-lua) and
# kstatus (cli-utils) say of objects sluice-operator has just written to the
# real API server of tests/cluster (up.sh; no kubelet needed: the steps are
# condition and fail steps, which run inside the operator, and one container
# step whose Job nobody runs, so it stays Executing):
#   running -> Progressing/InProgress, Succeeded -> Healthy/Current,
#   Failed -> Degraded/Failed, Stopped -> Suspended/Failed (Stalled),
#   invalid Pipeline -> Degraded/Failed and its execution Degraded/Failed,
#   a spec changed while the operator is down -> Progressing/InProgress,
#   and Current again once the restarted operator has seen it.
# SLUICE_GITOPS_RECORD=DIR keeps the fetched objects there (how testdata/
# was recorded).
# usage: gitops_live.sh OPERATOR_BIN
set -euo pipefail
OPERATOR="${1:?usage: gitops_live.sh OPERATOR_BIN}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LUA="$ROOT/charts/sluice/argocd"
: "${SLUICE_TEST_KUBECONFIG:?is not set: start the cluster with tests/cluster/up.sh and source its env file}"
: "${SLUICE_TEST_KUBECTL:?is not set: start the cluster with tests/cluster/up.sh and source its env file}"
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
k() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }
CHECKER="$(bash "$HERE/build.sh")"

NS="sluice-gitops-$(date +%s)-$$"
WORK="$(mktemp -d)"
operator_pid=""
cleanup() {
	local rc=$?
	[[ -n "$operator_pid" ]] && kill "$operator_pid" 2>/dev/null && wait "$operator_pid" 2>/dev/null
	k delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
	if ((rc == 0)); then rm -rf "$WORK"; else echo "objects and operator log kept in $WORK" >&2; fi
}
trap cleanup EXIT

start_operator() {
	"$OPERATOR" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$NS" --metrics-bind-address 0 \
		--health-probe-bind-address 0 --runner-image registry.example/sluice-runner:0.1.0 \
		>>"$WORK/operator.log" 2>&1 &
	operator_pid=$!
}
stop_operator() { # SIGTERM: finishes in-flight reconciles and exits
	kill -TERM "$operator_pid"
	wait "$operator_pid" || fail "the operator exited with $? on SIGTERM"
	operator_pid=""
}

# until_jsonpath KIND NAME JSONPATH WANT: waits (60 s at most) until it reads WANT.
until_jsonpath() {
	local got=""
	for _ in $(seq 1 300); do
		got="$(k -n "$NS" get "$1" "$2" -o jsonpath="$3" 2>/dev/null || true)"
		[[ "$got" == "$4" ]] && return 0
		sleep 0.2
	done
	fail "$1/$2 $3 is '$got', want '$4'"
}

# expect KIND NAME ARGOCD KSTATUS LABEL: judges the live object (LABEL names
# the recording).
expect() {
	local file="$WORK/$1-$2.json" line argo ks
	k -n "$NS" get "$1" "$2" -o json >"$file"
	line="$("$CHECKER" status "$LUA" "$file")" || fail "checker failed on $1/$2: $line"
	argo="$(cut -f3 <<<"$line")" ks="$(cut -f4 <<<"$line")"
	[[ "$argo" == "$3" && "$ks" == "$4" ]] ||
		fail "$1/$2: Argo CD $argo, kstatus $ks; want $3, $4 ($(cut -f5- <<<"$line"))"
	echo "ok: $1/$2 is $argo / $ks ($(cut -f5- <<<"$line"))"
	if [[ -n "${SLUICE_GITOPS_RECORD:-}" ]]; then
		mkdir -p "$SLUICE_GITOPS_RECORD"
		# managedFields only say who wrote what; neither tool reads them.
		python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); o["metadata"].pop("managedFields", None); print(json.dumps(o, indent=2))' \
			"$file" >"$SLUICE_GITOPS_RECORD/$([[ $1 == plx ]] && echo execution || echo "$1")-$5.json"
	fi
}

k apply --server-side --force-conflicts --field-manager=sluice-gitops-test -f "$ROOT/crds/" >/dev/null
# shellcheck source=../common/crds.sh
source "$ROOT/tests/common/crds.sh"
wait_crds_established k
k create namespace "$NS" >/dev/null
start_operator

k -n "$NS" apply -f - >/dev/null <<'EOF'
apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: gate}
spec:
  steps:
  - name: Check
    condition: {conditions: [{type: Equals, left: "a", right: "a"}]}
---
apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: refuse}
spec:
  steps:
  - name: Refuse
    fail: {message: "refused on purpose"}
---
apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: job}
spec:
  steps:
  - name: Work
    container: {image: registry.example/work:1.0}
---
apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: cyclic}
spec:
  steps:
  - {name: A, dependsOn: [B], container: {image: registry.example/a:1.0}}
  - {name: B, dependsOn: [A], container: {image: registry.example/b:1.0}}
EOF
for p in gate refuse job cyclic; do
	k -n "$NS" create -f - >/dev/null <<EOF
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: $p-1}
spec: {pipelineRef: {name: $p}}
EOF
done

until_jsonpath pipeline gate '{.status.conditions[?(@.type=="Ready")].status}' True
expect pipeline gate Healthy Current valid
until_jsonpath pipeline cyclic '{.status.conditions[?(@.type=="Ready")].status}' False
expect pipeline cyclic Degraded Failed invalid
until_jsonpath plx job-1 '{.status.phase}' Executing
expect plx job-1 Progressing InProgress executing
until_jsonpath plx gate-1 '{.status.phase}' Succeeded
expect plx gate-1 Healthy Current succeeded
until_jsonpath plx refuse-1 '{.status.phase}' Failed
expect plx refuse-1 Degraded Failed step-failed
until_jsonpath plx cyclic-1 '{.status.phase}' Failed
expect plx cyclic-1 Degraded Failed pipeline-invalid

k -n "$NS" patch plx job-1 --type merge -p '{"spec":{"stop":true}}' >/dev/null
until_jsonpath plx job-1 '{.status.phase}' Stopped
expect plx job-1 Suspended Failed stopped

# Changes the operator has not seen: it is down while they happen.
stop_operator
k -n "$NS" patch plx gate-1 --type merge -p '{"spec":{"maxParallelSteps":2}}' >/dev/null
k -n "$NS" patch pipeline gate --type merge -p '{"spec":{"description":"edited"}}' >/dev/null
k -n "$NS" create -f - >/dev/null <<'EOF'
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: gate-2}
spec: {pipelineRef: {name: gate}}
EOF
expect plx gate-1 Progressing InProgress spec-not-observed
expect pipeline gate Progressing InProgress spec-not-observed
expect plx gate-2 Progressing InProgress not-yet-seen

start_operator
until_jsonpath plx gate-1 '{.status.observedGeneration}' 2
expect plx gate-1 Healthy Current spec-acknowledged
until_jsonpath pipeline gate '{.status.observedGeneration}' 2
expect pipeline gate Healthy Current revalidated
until_jsonpath plx gate-2 '{.status.phase}' Succeeded
expect plx gate-2 Healthy Current succeeded-after-restart
stop_operator
echo "ok: all GitOps verdicts on live objects as documented"
