#!/usr/bin/env bash
# e2e: the Abalone example through the full local control plane: real Job
# controller, scheduler and kwok nodes; the operator as a process; the pod
# completer writing what sluice-runner would (outputs, Evaluate's mse).
#   1. the full run Succeeds; Train (gpu: 1) is bound to the GPU node, the
#      other steps to CPU nodes;
#   2. a selective run of Train + Evaluate with a new XGBNumRounds creates
#      exactly two Jobs and links Preprocess's outputs from the first run.
# usage: abalone_e2e.sh OPERATOR_BIN COMPLETER_BIN
set -euo pipefail
OPERATOR="$1" COMPLETER="$2"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${SLUICE_TEST_KUBECONFIG:?not set: start the cluster with tests/cluster/up.sh --full}"
[[ "${SLUICE_TEST_FULL:-0}" == 1 ]] || { echo "FAIL: needs the full control plane (up.sh --full)" >&2; exit 1; }
kc() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
NS="e2e-abalone-$RANDOM$RANDOM"
LOGS="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	kc delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT

kc apply --server-side --force-conflicts -f "$ROOT/crds" >/dev/null
# shellcheck source=../common/crds.sh
source "$ROOT/tests/common/crds.sh"
wait_crds_established kc
kc create namespace "$NS" >/dev/null
kc -n "$NS" create serviceaccount pipeline-steps >/dev/null
kc -n "$NS" apply -f "$ROOT/examples/s3-credentials-secret.yaml" >/dev/null

"$OPERATOR" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$NS" --metrics-bind-address 0 \
	--health-probe-bind-address 0 --runner-image registry.example/sluice-runner:0.1.0 >"$LOGS/operator.log" 2>&1 &
pids+=($!)
"$COMPLETER" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$NS" --property Evaluate.mse=4.37 \
	>"$LOGS/completer.log" 2>&1 &
pids+=($!)

# shellcheck source=../common/wait_phase.sh
source "$(dirname "$0")/../common/wait_phase.sh"
wait_phase() { wait_terminal_phase "$NS" "$1"; }
dump() {
	kc -n "$NS" get plx,jobs,pods -o wide >&2 || true
	kc -n "$NS" get plx "$1" -o jsonpath='{.status}' >&2 || true
	echo >&2
	tail -n 20 "$LOGS/operator.log" >&2
}

kc -n "$NS" apply -f "$ROOT/examples/abalone/pipeline.yaml" >/dev/null
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: abalone-full}
spec: {pipelineRef: {name: abalone}}
YAML
phase="$(wait_phase abalone-full)"
[[ "$phase" == Succeeded ]] || { dump abalone-full; fail "full run ended '$phase'"; }
echo "ok: full Abalone run Succeeded"

jobs="$(kc -n "$NS" get jobs -l sluice.dev/execution=abalone-full -o jsonpath='{range .items[*]}{.metadata.annotations.sluice\.dev/step}{" "}{end}')"
[[ "$(echo $jobs | tr ' ' '\n' | sort | tr '\n' ' ')" == "Evaluate Preprocess Register Train " ]] || fail "jobs of the full run: $jobs"
while read -r step node; do
	case "$step" in
	Train) [[ "$node" == kwok-gpu-1 ]] || fail "Train pod on '$node', want the GPU node" ;;
	*) [[ "$node" == kwok-cpu-* ]] || fail "$step pod on '$node', want a CPU node" ;;
	esac
done < <(kc -n "$NS" get pods -l sluice.dev/execution=abalone-full -o jsonpath='{range .items[*]}{.metadata.labels.sluice\.dev/step}{" "}{.spec.nodeName}{"\n"}{end}')
echo "ok: Train bound to kwok-gpu-1, the other steps to CPU nodes"
tol="$(kc -n "$NS" get pods -l sluice.dev/execution=abalone-full,sluice.dev/step=Preprocess -o jsonpath='{.items[0].spec.tolerations[*].key}')"
[[ "$tol" != *nvidia.com/gpu* ]] || fail "a CPU step got the GPU toleration"

kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: abalone-retrain}
spec:
  pipelineRef: {name: abalone}
  parameters: [{name: XGBNumRounds, value: "150"}]
  selectiveExecution: {sourceExecution: abalone-full, selectedSteps: [Train, Evaluate]}
YAML
phase="$(wait_phase abalone-retrain)"
[[ "$phase" == Succeeded ]] || { dump abalone-retrain; fail "selective run ended '$phase'"; }
jobs="$(kc -n "$NS" get jobs -l sluice.dev/execution=abalone-retrain -o jsonpath='{range .items[*]}{.metadata.annotations.sluice\.dev/step}{" "}{end}')"
[[ "$(echo $jobs | tr ' ' '\n' | sort | tr '\n' ' ')" == "Evaluate Train " ]] || fail "selective run made Jobs for: $jobs"
echo "ok: selective Train + Evaluate created exactly two Jobs"
q='{.status.steps[?(@.name=="Preprocess")]'
reused="$(kc -n "$NS" get plx abalone-retrain -o jsonpath="$q.reusedFrom.execution}")"
[[ "$reused" == abalone-full ]] || fail "Preprocess reusedFrom '$reused'"
a="$(kc -n "$NS" get plx abalone-full -o jsonpath="$q.outputs[*].uri}")"
b="$(kc -n "$NS" get plx abalone-retrain -o jsonpath="$q.outputs[*].uri}")"
[[ -n "$a" && "$a" == "$b" ]] || fail "Preprocess outputs differ: '$a' vs '$b'"
echo "ok: Preprocess linked from abalone-full ($a)"
args="$(kc -n "$NS" get jobs -l sluice.dev/execution=abalone-retrain,sluice.dev/step=Train -o jsonpath='{.items[0].spec.template.spec.containers[0].args}')"
[[ "$args" == *'"150"'* ]] || fail "Train did not get XGBNumRounds=150: $args"
echo "ok: Train ran with --num-round 150"
