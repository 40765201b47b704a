#!/usr/bin/env bash
# e2e faults on the full control plane (real Job controller, scheduler, pod
# garbage collector, kwok nodes; the pod completer plays sluice-runner):
#   node-deleted: a kwok node is deleted while step pods run on it. The pod
#     garbage collector fails them, the Job controller counts a failed
#     attempt: the step with retry.maxAttempts 2 runs again on another node
#     and succeeds (attemptCount 2); the step with 1 attempt fails with the
#     pod garbage collector's words ("node no longer exists") and the
#     execution names it.
#   pod-deleted: a running step's pod is deleted (its Job kept). The Job
#     controller makes a new pod, counted as a failed attempt: with
#     maxAttempts 2 the step succeeds on attempt 2 in the new pod.
# usage: faults_e2e.sh OPERATOR_BIN COMPLETER_BIN CASE
set -euo pipefail
OPERATOR="$1" COMPLETER="$2" CASE="$3"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${SLUICE_TEST_KUBECONFIG:?not set: start the cluster with tests/cluster/up.sh --full}"
[[ "${SLUICE_TEST_FULL:-0}" == 1 ]] || { echo "FAIL: needs the full control plane (up.sh --full)" >&2; exit 1; }
kc() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
NS="e2e-faults-$CASE-$RANDOM$RANDOM"
NODE="kwok-doomed-$RANDOM$RANDOM"
LOGS="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	kc delete node "$NODE" --wait=false >/dev/null 2>&1 || true
	kc delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT
# shellcheck source=../common/wait_phase.sh
source "$ROOT/tests/common/wait_phase.sh"
wait_phase() { wait_terminal_phase "$NS" "$1" 300; }
step_field() { kc -n "$NS" get plx "$1" -o jsonpath="{.status.steps[?(@.name==\"$2\")].$3}"; }
dump() {
	kc -n "$NS" get plx,jobs,pods -o wide >&2 || true
	kc -n "$NS" get plx "$1" -o jsonpath='{.status}' >&2 || true
	echo >&2
	tail -n 20 "$LOGS/operator.log" "$LOGS/completer.log" >&2
}
# job_pods EXECUTION STEP: its Job's pods as "name node phase" lines.
job_pods() {
	kc -n "$NS" get pods -l "batch.kubernetes.io/job-name=$(step_field "$1" "$2" jobName)" \
		-o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase}{"\n"}{end}'
}
# wait_running_on EXECUTION STEP NODE: until one of its pods runs there.
wait_running_on() {
	for _ in $(seq 1 600); do
		job_pods "$1" "$2" 2>/dev/null | grep -q " $3 Running$" && return 0
		sleep 0.2
	done
	dump "$1"
	fail "$1's $2 never ran on $3"
}

kc apply --server-side --force-conflicts -f "$ROOT/crds" >/dev/null
# shellcheck source=../common/crds.sh
source "$ROOT/tests/common/crds.sh"
wait_crds_established kc
kc create namespace "$NS" >/dev/null
kc -n "$NS" create serviceaccount pipeline-steps >/dev/null
kc -n "$NS" apply -f "$ROOT/examples/s3-credentials-secret.yaml" >/dev/null

# pipeline NAME ATTEMPTS: one step "Work" on the CPU pool, preferring the
# doomed node, so its first pod lands there and a retry goes elsewhere.
pipeline() {
	kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: $1}
spec:
  artifactStore: {s3: {endpoint: "http://127.0.0.1:9", bucket: pipelines, region: us-east-1, credentialsSecret: {name: s3-creds}}}
  defaults: {serviceAccountName: pipeline-steps}
  steps:
  - name: Work
    container: {image: registry.example/work:1, command: [work]}
    retry: {maxAttempts: $2}
    affinity:
      nodeAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms: [{matchExpressions: [{key: sluice.dev/pool, operator: In, values: [cpu, doomed]}]}]
        preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$NODE]}]}
YAML
	kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: $1-1}
spec: {pipelineRef: {name: $1}}
YAML
}

start_operator() {
	"$OPERATOR" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$NS" --metrics-bind-address 0 \
		--health-probe-bind-address 0 --runner-image registry.example/sluice-runner:0.1.0 >"$LOGS/operator.log" 2>&1 &
	pids+=($!)
}

node_deleted() {
	kc apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $NODE
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {kubernetes.io/hostname: $NODE, kubernetes.io/os: linux, kubernetes.io/arch: amd64, sluice.dev/pool: doomed}
spec: {}
status:
  addresses: [{type: InternalIP, address: 127.0.1.9}]
  capacity: {cpu: "16", memory: 64Gi, pods: "110"}
  allocatable: {cpu: "16", memory: 64Gi, pods: "110"}
  nodeInfo: {architecture: amd64, operatingSystem: linux, kubeletVersion: fake}
YAML
	kc wait --for=condition=Ready "node/$NODE" --timeout=60s >/dev/null || fail "kwok never made $NODE Ready"
	start_operator
	"$COMPLETER" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$NS" --hold-on-node "$NODE" \
		>"$LOGS/completer.log" 2>&1 &
	pids+=($!)
	pipeline retried 2
	pipeline once 1
	wait_running_on retried-1 Work "$NODE"
	wait_running_on once-1 Work "$NODE"
	local t0=$SECONDS phase
	kc delete node "$NODE" >/dev/null
	echo "ok: node $NODE deleted with both steps' pods Running on it"

	phase="$(wait_phase retried-1)"
	[[ "$phase" == Succeeded ]] || { dump retried-1; fail "the step with 2 attempts ended '$phase' after its node was deleted"; }
	[[ "$(step_field retried-1 Work attemptCount)" == 2 ]] || { dump retried-1; fail "attemptCount '$(step_field retried-1 Work attemptCount)', want 2"; }
	job_pods retried-1 Work | grep -Eq ' kwok-cpu-[12] Succeeded$' || { dump retried-1; fail "the retry did not run on a CPU node: $(job_pods retried-1 Work)"; }
	echo "ok: maxAttempts 2: the pod GC failed the pod, the retry ran on $(job_pods retried-1 Work | awk '$3=="Succeeded"{print $2}') and Succeeded $((SECONDS - t0)) s after the deletion (attemptCount 2)"

	phase="$(wait_phase once-1)"
	[[ "$phase" == Failed ]] || { dump once-1; fail "the step with 1 attempt ended '$phase' after its node was deleted"; }
	local reason msg
	reason="$(step_field once-1 Work reason)" msg="$(step_field once-1 Work message)"
	[[ "$(step_field once-1 Work phase)" == Failed && -n "$reason" ]] || { dump once-1; fail "Work: phase '$(step_field once-1 Work phase)', reason '$reason'"; }
	[[ "$(kc -n "$NS" get plx once-1 -o jsonpath='{.status.failureReason}')" == *Work* ]] ||
		fail "the execution's failureReason does not name the step: $(kc -n "$NS" get plx once-1 -o jsonpath='{.status.failureReason}')"
	[[ "$msg" == *"node no longer exists"* ]] || { dump once-1; fail "the step's message does not say its node went away: [$msg]"; }
	echo "ok: maxAttempts 1: the step Failed, reason $reason: [$msg]"
}

pod_deleted() {
	start_operator
	"$COMPLETER" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$NS" --hold-once Work \
		>"$LOGS/completer.log" 2>&1 &
	pids+=($!)
	pipeline podgone 2
	local pod="" t0 phase
	for _ in $(seq 1 600); do
		pod="$(job_pods podgone-1 Work 2>/dev/null | awk '$3=="Running"{print $1}' | head -1)"
		[[ -n "$pod" ]] && break
		sleep 0.2
	done
	[[ -n "$pod" ]] || { dump podgone-1; fail "Work never ran"; }
	t0=$SECONDS
	kc -n "$NS" delete pod "$pod" --wait=false >/dev/null
	echo "ok: the running pod $pod of Work deleted, its Job kept"
	phase="$(wait_phase podgone-1)"
	[[ "$phase" == Succeeded ]] || { dump podgone-1; fail "the execution ended '$phase' after its step's pod was deleted"; }
	[[ "$(step_field podgone-1 Work attemptCount)" == 2 ]] || { dump podgone-1; fail "attemptCount '$(step_field podgone-1 Work attemptCount)', want 2"; }
	job_pods podgone-1 Work | grep -v "^$pod " | grep -q ' Succeeded$' || { dump podgone-1; fail "no new pod succeeded: $(job_pods podgone-1 Work)"; }
	echo "ok: the Job controller made a new pod, the step Succeeded on attempt 2, $((SECONDS - t0)) s after the deletion"
}

case "$CASE" in
node-deleted) node_deleted ;;
pod-deleted) pod_deleted ;;
*) fail "unknown case $CASE" ;;
esac
