#!/usr/bin/env bash
# make demo: the Abalone pipeline and a selective re-run on the local control
# plane (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes, and
# a real node: kubelet + containerd running the images `make images` built),
# printing both executions' step tables. Every step runs for real: the runner
# stages S3 inputs and outputs, XGBoost trains on an Abalone-shaped data set
# (examples/abalone/make_dataset.py), Evaluate reports the real MSE.
# Needs root (the kubelet and containerd). Set SLUICE_DEMO_KEEP=1 to leave
# the cluster running afterwards.
set -euo pipefail
BUILD_DIR="${1:?usage: demo.sh BUILD_DIR}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export SLUICE_TESTENV_RUN="${TMPDIR:-/tmp}/sluice-demo"
NS=demo
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [[ "${SLUICE_DEMO_KEEP:-0}" != 1 ]]; then bash "$ROOT/tests/cluster/down.sh"; fi
}
trap cleanup EXIT

echo "== starting the local control plane (first run builds it from the Kubernetes Go modules)"
bash "$ROOT/tests/cluster/up.sh" --full --real-node
source "$SLUICE_TESTENV_RUN/env"
source "$ROOT/tests/common/s3_curl.sh"
VERSION="$(sed -n 's/^project(sluice VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")"
kc() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }

kc apply --server-side -f "$ROOT/crds" >/dev/null
# shellcheck source=../common/crds.sh
source "$ROOT/tests/common/crds.sh"
wait_crds_established kc
kc create namespace "$NS" >/dev/null
kc -n "$NS" create serviceaccount pipeline-steps >/dev/null
kc -n "$NS" create secret generic s3-creds --from-literal=AWS_ACCESS_KEY_ID="$SLUICE_TEST_S3_ACCESS_KEY" \
	--from-literal=AWS_SECRET_ACCESS_KEY="$SLUICE_TEST_S3_SECRET_KEY" >/dev/null
echo "== the raw data set: an Abalone-shaped CSV uploaded to s3://pipelines/datasets/abalone/"
s3_make_bucket pipelines
python3 "$ROOT/examples/abalone/make_dataset.py" "$SLUICE_TESTENV_RUN/abalone.csv"
s3_put "$SLUICE_TESTENV_RUN/abalone.csv" pipelines/datasets/abalone/abalone.csv

"$BUILD_DIR/operator/cmd/sluice-operator" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$NS" \
	--metrics-bind-address 0 --health-probe-bind-address 0 \
	--runner-image "ghcr.io/sluice-dev/sluice-runner:$VERSION" >"$SLUICE_TESTENV_RUN/logs/operator.log" 2>&1 &
pids+=($!)

wait_done() {
	for _ in $(seq 1 3000); do
		p="$(kc -n "$NS" get plx "$1" -o jsonpath='{.status.phase}' 2>/dev/null || true)"
		[[ "$p" == Succeeded || "$p" == Failed || "$p" == Stopped ]] && return 0
		sleep 0.2
	done
	echo "timed out waiting for $1" >&2
	return 1
}

table() {
	echo
	kc -n "$NS" get plx "$1"
	echo
	{
		printf 'STEP\tPHASE\tSTART\tEND\tATTEMPTS\tJOB\tREUSED-FROM/CACHE-HIT\tREASON\n'
		kc -n "$NS" get plx "$1" -o jsonpath='{range .status.steps[*]}{.name}{"\t"}{.phase}{"\t"}{.startTime}{"\t"}{.endTime}{"\t"}{.attemptCount}{"\t"}{.jobName}{"\t"}{.reusedFrom.execution}{.cacheHit.execution}{"\t"}{.reason}{"\n"}{end}'
	} | awk -F'\t' '{ for (i = 1; i <= NF; i++) { v = ($i == "" ? "-" : $i); w[NR, i] = v; if (length(v) > m[i]) m[i] = length(v) } n = NR; f[NR] = NF }
	         END { for (r = 1; r <= n; r++) { line = ""; for (i = 1; i <= f[r]; i++) line = line sprintf("%-" m[i] + 2 "s", w[r, i]); print line } }'
}

echo "== 1. the Abalone pipeline, run in full"
sed "s#http://artifact-store.example:9000#$SLUICE_TEST_POD_S3_ENDPOINT#" "$ROOT/examples/abalone/pipeline-local.yaml" |
	kc -n "$NS" apply -f -
kc -n "$NS" apply -f - <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: abalone-first}
spec: {pipelineRef: {name: abalone}}
YAML
wait_done abalone-first
table abalone-first

echo
echo "Evaluate's log (the real model's error on the test set):"
kc -n "$NS" logs "job/$(kc -n "$NS" get plx abalone-first -o jsonpath='{.status.steps[?(@.name=="Evaluate")].jobName}')" -c main
echo
echo "== 2. selective re-run: only Train and Evaluate, with XGBNumRounds=150; Preprocess is linked, not recomputed"
kc -n "$NS" apply -f - <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: abalone-retrain}
spec:
  pipelineRef: {name: abalone}
  parameters: [{name: XGBNumRounds, value: "150"}]
  selectiveExecution: {sourceExecution: abalone-first, selectedSteps: [Train, Evaluate]}
YAML
wait_done abalone-retrain
table abalone-retrain
echo
echo "Jobs created by the selective run:"
kc -n "$NS" get jobs -l sluice.dev/execution=abalone-retrain
echo
echo "S3: what each run wrote (the selective run wrote no Preprocess outputs: it links abalone-first's)"
for run in abalone-first abalone-retrain; do
	s3_list pipelines "ml/$NS/abalone/$run/" | sed "s#^#  s3://pipelines/#"
done
echo "Preprocess's outputs in the selective run's status:"
kc -n "$NS" get plx abalone-retrain -o jsonpath='{range .status.steps[?(@.name=="Preprocess")].outputs[*]}  {.name}: {.uri}{"\n"}{end}'
echo
echo "Evaluate's log in the selective run:"
kc -n "$NS" logs "job/$(kc -n "$NS" get plx abalone-retrain -o jsonpath='{.status.steps[?(@.name=="Evaluate")].jobName}')" -c main
if [[ "${SLUICE_DEMO_KEEP:-0}" == 1 ]]; then
	echo
	echo "cluster left running: source $SLUICE_TESTENV_RUN/env; stop it with SLUICE_TESTENV_RUN=$SLUICE_TESTENV_RUN tests/cluster/down.sh"
fi
