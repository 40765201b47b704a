#!/usr/bin/env bash
# e2e on the real node (up.sh --real-node): steps run in real containers,
# nothing plays the kubelet or the runner.
#   1. portability: three chained steps in three images, each staged by the
#      runner the init container copied in: Debian 12 with Python (glibc
#      2.36), Debian 11 (glibc 2.31, older than the runner's) and a static
#      busybox with no libc at all. Each step reads its input from S3, writes
#      an output and a property; the last output holds all three lines.
#   2. the Abalone pipeline (examples/abalone/pipeline-local.yaml) really
#      trains and evaluates an XGBoost model; a selective re-run of Train and
#      Evaluate with other XGBNumRounds creates exactly two Jobs, links
#      Preprocess's outputs from the first run and gives another MSE; the
#      step logs are readable with kubectl logs.
#   3. behaviour: a failing command fails its step with its exit code and
#      the end of its output, after its retry really ran the container
#      again; an image without the command fails with a clear reason; stop
#      kills a running container.
#   4. s3outage: the pods' S3 server stopped for 30 s (tests/cluster/
#      restart.sh) just as two runs start: the step with retries succeeds
#      once the store is back and its outputs really are in the store (the
#      next step read them); the step without retries fails with the
#      store's error. Never Succeeded with missing outputs. Stops the S3
#      server every real-node case uses, so ctest runs it alone.
# usage: real_node_e2e.sh OPERATOR_BIN KUBECTL_SLUICE_BIN CASE
#        (CASE: portability | abalone | behaviour | s3outage)
set -euo pipefail
OPERATOR="$1" KUBECTL_SLUICE="$2" CASE="$3"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${SLUICE_TEST_KUBECONFIG:?not set: start the cluster with tests/cluster/up.sh --real-node}"
[[ -n "${SLUICE_TEST_REAL_NODE:-}" ]] || { echo "FAIL: needs the real node (up.sh --real-node)" >&2; exit 1; }
kc() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
VERSION="$(sed -n 's/^project(sluice VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")"
NS="e2e-real-$CASE-$RANDOM$RANDOM"
LOGS="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	kc delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT
# shellcheck source=../common/wait_phase.sh
source "$ROOT/tests/common/wait_phase.sh"
# shellcheck source=../common/s3_curl.sh
source "$ROOT/tests/common/s3_curl.sh"
# Real containers on a shared two-core machine: minutes, not seconds.
wait_phase() { wait_terminal_phase "$NS" "$1" 400; }
dump() {
	kc -n "$NS" get plx,jobs,pods -o wide >&2 || true
	kc -n "$NS" get plx "$1" -o jsonpath='{.status}' >&2 || true
	echo >&2
	local pod
	for pod in $(kc -n "$NS" get pods -o name 2>/dev/null); do
		echo "--- $pod" >&2
		kc -n "$NS" logs "$pod" --all-containers --tail=20 >&2 || true
	done
	tail -n 20 "$LOGS/operator.log" >&2
}
prop() { kc -n "$NS" get plx "$1" -o jsonpath="{.status.steps[?(@.name==\"$2\")].properties[?(@.name==\"$3\")].value}"; }
step_field() { kc -n "$NS" get plx "$1" -o jsonpath="{.status.steps[?(@.name==\"$2\")].$3}"; }

kc apply --server-side --force-conflicts -f "$ROOT/crds" >/dev/null
# shellcheck source=../common/crds.sh
source "$ROOT/tests/common/crds.sh"
wait_crds_established kc
kc create namespace "$NS" >/dev/null
kc -n "$NS" create serviceaccount pipeline-steps >/dev/null
kc -n "$NS" create secret generic s3-creds --from-literal=AWS_ACCESS_KEY_ID="$SLUICE_TEST_S3_ACCESS_KEY" \
	--from-literal=AWS_SECRET_ACCESS_KEY="$SLUICE_TEST_S3_SECRET_KEY" >/dev/null
BUCKET="real-$CASE-$RANDOM$RANDOM"
s3_make_bucket "$BUCKET"

"$OPERATOR" --kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace "$NS" --metrics-bind-address 0 \
	--health-probe-bind-address 0 --runner-image "ghcr.io/sluice-dev/sluice-runner:$VERSION" \
	>"$LOGS/operator.log" 2>&1 &
pids+=($!)

# Every pod of the namespace ran on the real node.
check_pods_on_real_node() {
	local nodes
	nodes="$(kc -n "$NS" get pods -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u)"
	[[ "$nodes" == "$SLUICE_TEST_REAL_NODE" ]] || fail "step pods ran on [$nodes], not only on $SLUICE_TEST_REAL_NODE"
}

portability() {
	local placement='nodeSelector: {sluice.dev/real-node: "true"}
    tolerations: [{key: sluice.dev/real-node, operator: Exists, effect: NoSchedule}]'
	kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: portability}
spec:
  artifactStore:
    s3: {endpoint: "$SLUICE_TEST_POD_S3_ENDPOINT", bucket: $BUCKET, prefix: p, region: us-east-1,
         credentialsSecret: {name: s3-creds}}
  defaults: {serviceAccountName: pipeline-steps}
  steps:
  - name: Debian12
    container:
      image: sluice.local/abalone:$VERSION
      command: [python3, -c]
      args:
      - |
        import json, os, platform
        os.makedirs("/out/line", exist_ok=True)
        libc = platform.libc_ver()[1]
        open("/out/line/lines.txt", "w").write("debian12 glibc " + libc + "\n")
        json.dump({"libc": libc}, open("/out/line/props.json", "w"))
    outputs: [{name: line, path: /out/line}]
    properties: [{name: libc, file: /out/line/props.json, jsonPath: libc}]
    $placement
  - name: Debian11
    container:
      image: sluice.local/test-debian11:$VERSION
      command: [python3, -c]
      args:
      - |
        import json, os, platform
        os.makedirs("/out/line", exist_ok=True)
        libc = platform.libc_ver()[1]
        before = open("/in/line/lines.txt").read()
        open("/out/line/lines.txt", "w").write(before + "debian11 glibc " + libc + "\n")
        json.dump({"libc": libc}, open("/out/line/props.json", "w"))
    inputs: [{name: line, from: "\$(steps.Debian12.outputs.line)", path: /in/line}]
    outputs: [{name: line, path: /out/line}]
    properties: [{name: libc, file: /out/line/props.json, jsonPath: libc}]
    $placement
  - name: Busybox
    container:
      image: sluice.local/test-busybox:$VERSION
      command: [sh, -c]
      args:
      - |
        set -e
        mkdir -p /out/line
        cat /in/line/lines.txt > /out/line/lines.txt
        test -e /lib/libc.so.6 && libc=present || libc=none
        echo "busybox libc \$libc" >> /out/line/lines.txt
        echo "{\"libc\": \"\$libc\"}" > /out/line/props.json
    inputs: [{name: line, from: "\$(steps.Debian11.outputs.line)", path: /in/line}]
    outputs: [{name: line, path: /out/line}]
    properties: [{name: libc, file: /out/line/props.json, jsonPath: libc}]
    $placement
YAML
	kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: portability-1}
spec: {pipelineRef: {name: portability}}
YAML
	local phase
	phase="$(wait_phase portability-1)"
	[[ "$phase" == Succeeded ]] || { dump portability-1; fail "portability run ended '$phase'"; }
	echo "ok: three steps in three images ran for real and Succeeded"
	check_pods_on_real_node
	echo "ok: every step pod ran on $SLUICE_TEST_REAL_NODE"
	[[ "$(prop portability-1 Debian12 libc)" == 2.36 ]] || fail "Debian12 libc '$(prop portability-1 Debian12 libc)', want 2.36"
	[[ "$(prop portability-1 Debian11 libc)" == 2.31 ]] || fail "Debian11 libc '$(prop portability-1 Debian11 libc)', want 2.31"
	[[ "$(prop portability-1 Busybox libc)" == none ]] || fail "Busybox saw libc '$(prop portability-1 Busybox libc)', want none"
	echo "ok: the runner staged in glibc 2.36, glibc 2.31 and a libc-less image (properties reported through the termination message)"
	local uri key got want
	uri="$(kc -n "$NS" get plx portability-1 -o jsonpath='{.status.steps[?(@.name=="Busybox")].outputs[0].uri}')"
	[[ "$uri" == "s3://$BUCKET/p/$NS/portability/portability-1/Busybox/line/" ]] || fail "Busybox output URI '$uri'"
	key="${uri#s3://}lines.txt"
	got="$(s3_get "$key")"
	want=$'debian12 glibc 2.36\ndebian11 glibc 2.31\nbusybox libc none'
	[[ "$got" == "$want" ]] || fail "s3://$key holds [$got], want [$want]"
	echo "ok: each step read the previous one's output from S3 and uploaded its own ($key)"
}

abalone() {
	python3 "$ROOT/examples/abalone/make_dataset.py" "$LOGS/abalone.csv"
	s3_put "$LOGS/abalone.csv" "$BUCKET/datasets/abalone/abalone.csv"
	sed -e "s#http://artifact-store.example:9000#$SLUICE_TEST_POD_S3_ENDPOINT#" -e "s#bucket: pipelines#bucket: $BUCKET#" \
		-e "s#s3://pipelines/datasets/abalone/#s3://$BUCKET/datasets/abalone/#" \
		"$ROOT/examples/abalone/pipeline-local.yaml" | kc -n "$NS" apply -f - >/dev/null
	kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: abalone-first}
spec: {pipelineRef: {name: abalone}}
YAML
	local phase mse1 mse2
	phase="$(wait_phase abalone-first)"
	[[ "$phase" == Succeeded ]] || { dump abalone-first; fail "the Abalone run ended '$phase'"; }
	mse1="$(prop abalone-first Evaluate mse)"
	[[ "$mse1" =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "Evaluate's mse '$mse1' is not a number"
	[[ "$(step_field abalone-first Register phase)" == Succeeded ]] || fail "Register did not run (mse $mse1)"
	check_pods_on_real_node
	echo "ok: Abalone trained for real: mse $mse1, MSECheck passed, Register ran"
	s3_get "$BUCKET/ml/$NS/abalone/abalone-first/Train/model/xgboost-model.json" | python3 -c \
		'import json,sys; m=json.load(sys.stdin); assert "learner" in m, "not an XGBoost model"' ||
		fail "the Train step's model in S3 is not an XGBoost model"
	echo "ok: the model Train uploaded is a real XGBoost model"

	local jobs_before
	jobs_before="$(kc -n "$NS" get jobs -o name | wc -l)"
	kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: abalone-retrain}
spec:
  pipelineRef: {name: abalone}
  parameters: [{name: XGBNumRounds, value: "12"}]
  selectiveExecution: {sourceExecution: abalone-first, selectedSteps: [Train, Evaluate]}
YAML
	phase="$(wait_phase abalone-retrain)"
	[[ "$phase" == Succeeded ]] || { dump abalone-retrain; fail "the selective run ended '$phase'"; }
	local new_jobs
	new_jobs="$(($(kc -n "$NS" get jobs -o name | wc -l) - jobs_before))"
	((new_jobs == 2)) || fail "the selective run created $new_jobs Jobs, want 2 (Train, Evaluate)"
	[[ "$(step_field abalone-retrain Preprocess reusedFrom.execution)" == abalone-first ]] ||
		fail "Preprocess is not reused from abalone-first"
	mse2="$(prop abalone-retrain Evaluate mse)"
	[[ "$mse2" =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "the re-run's mse '$mse2' is not a number"
	[[ "$mse2" != "$mse1" ]] || fail "12 rounds gave the same mse as 60 ($mse1): Train did not re-run with the new value"
	echo "ok: selective Train+Evaluate with XGBNumRounds=12: 2 Jobs, Preprocess linked from abalone-first, mse $mse1 -> $mse2"
	local logs
	logs="$(kc -n "$NS" logs "job/$(step_field abalone-retrain Evaluate jobName)" -c main)"
	[[ "$logs" == *"evaluate: mse $mse2 on "* ]] || fail "kubectl logs of Evaluate's Job lacks its output: [$logs]"
	echo "ok: kubectl logs shows the step's own output (and the runner's staging lines)"
	logs="$("$KUBECTL_SLUICE" --kubeconfig "$SLUICE_TEST_KUBECONFIG" -n "$NS" logs abalone-retrain Evaluate)"
	[[ "$logs" == *"evaluate: mse $mse2 on "* ]] || fail "kubectl sluice logs abalone-retrain Evaluate lacks its output: [$logs]"
	logs="$("$KUBECTL_SLUICE" --kubeconfig "$SLUICE_TEST_KUBECONFIG" -n "$NS" logs abalone-first)"
	[[ "$logs" == *"[Preprocess] "*"preprocess: 4177 rows"* && "$logs" == *"[Train] "*"train: 60 rounds"* ]] ||
		fail "kubectl sluice logs abalone-first lacks the steps' prefixed output: [$logs]"
	echo "ok: kubectl sluice logs finds a step's pod by step name, and prefixes every step's lines"
}

# one_step_pipeline NAME IMAGE RETRIES COMMAND_JSON: a Pipeline of one step
# "Step" on the real node.
one_step_pipeline() {
	kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: $1}
spec:
  artifactStore:
    s3: {endpoint: "$SLUICE_TEST_POD_S3_ENDPOINT", bucket: $BUCKET, prefix: b, region: us-east-1,
         credentialsSecret: {name: s3-creds}}
  defaults: {serviceAccountName: pipeline-steps}
  steps:
  - name: Step
    container: {image: "$2", command: $4}
    retry: {maxAttempts: $3}
    nodeSelector: {sluice.dev/real-node: "true"}
    tolerations: [{key: sluice.dev/real-node, operator: Exists, effect: NoSchedule}]
YAML
	kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: $1-1}
spec: {pipelineRef: {name: $1}}
YAML
}

behaviour() {
	local busybox="sluice.local/test-busybox:$VERSION" phase msg
	one_step_pipeline fails "$busybox" 2 '[sh, -c, "echo preparing; echo \"bad value: 42\" >&2; exit 3"]'
	one_step_pipeline nocommand "$busybox" 1 '[python3, -c, "print(1)"]'
	one_step_pipeline sleeps "$busybox" 1 '[sleep, "600"]'

	phase="$(wait_phase fails-1)"
	[[ "$phase" == Failed ]] || { dump fails-1; fail "the failing step's execution ended '$phase'"; }
	msg="$(step_field fails-1 Step message)"
	[[ "$msg" == *"exit code 3"* && "$msg" == *"bad value: 42"* ]] ||
		fail "the failed step's message lacks its exit code or the end of its output: [$msg]"
	[[ "$(step_field fails-1 Step attemptCount)" == 2 ]] || fail "attemptCount '$(step_field fails-1 Step attemptCount)', want 2"
	local pods
	pods="$(kc -n "$NS" get pods -l "batch.kubernetes.io/job-name=$(step_field fails-1 Step jobName)" -o name | wc -l)"
	((pods == 2)) || fail "the retried step ran in $pods pods, want 2 (one per attempt)"
	echo "ok: a failing command: exit code 3 and its last output in the step's message, 2 attempts in 2 real pods"
	echo "    message: $(tr '\n' '|' <<<"$msg")"

	phase="$(wait_phase nocommand-1)"
	[[ "$phase" == Failed ]] || { dump nocommand-1; fail "the missing command's execution ended '$phase'"; }
	msg="$(step_field nocommand-1 Step message)"
	[[ "$msg" == *"cannot execute 'python3'"*"No such file or directory"* ]] ||
		fail "an image without the command fails without saying so: [$msg]"
	echo "ok: an image without the command: [$msg]"

	local pod="" t0
	for _ in $(seq 1 600); do
		pod="$(kc -n "$NS" get pods -l "batch.kubernetes.io/job-name=$(step_field sleeps-1 Step jobName)" \
			-o jsonpath='{range .items[?(@.status.containerStatuses[0].state.running)]}{.metadata.name}{end}' 2>/dev/null || true)"
		[[ -n "$pod" ]] && break
		sleep 0.2
	done
	[[ -n "$pod" ]] || { dump sleeps-1; fail "the sleeping step's container never ran"; }
	t0=$SECONDS
	kc -n "$NS" patch plx sleeps-1 --type merge -p '{"spec":{"stop":true}}' >/dev/null
	phase="$(wait_phase sleeps-1)"
	[[ "$phase" == Stopped ]] || { dump sleeps-1; fail "the stopped execution ended '$phase'"; }
	[[ "$(step_field sleeps-1 Step phase)" == Stopped ]] || fail "the running step is '$(step_field sleeps-1 Step phase)', want Stopped"
	kc -n "$NS" wait --for=delete "pod/$pod" --timeout=120s >/dev/null ||
		fail "the stopped step's pod $pod (sleep 600) is still there"
	echo "ok: stop: the running container (sleep 600) was killed and its pod removed $((SECONDS - t0)) s after spec.stop"
}

# The pods' S3 server goes down for 30 s as two runs of Produce -> Consume
# start. Produce uploads its output when its command ends: with
# retry.maxAttempts 4 the Job's pod backoff (10 s, 20 s, ...) outlasts the
# outage; with 1 attempt the step fails with the store's error.
s3outage() {
	local busybox="sluice.local/test-busybox:$VERSION" name attempts
	for name in outage-retries:4 outage-once:1; do
		kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata: {name: ${name%%:*}}
spec:
  artifactStore:
    s3: {endpoint: "$SLUICE_TEST_POD_S3_ENDPOINT", bucket: $BUCKET, prefix: o, region: us-east-1,
         credentialsSecret: {name: s3-creds}}
  defaults: {serviceAccountName: pipeline-steps, retry: {maxAttempts: ${name##*:}}}
  steps:
  - name: Produce
    container: {image: "$busybox", command: [sh, -c, "mkdir -p /out/d && echo produced > /out/d/f.txt"]}
    outputs: [{name: d, path: /out/d}]
    nodeSelector: {sluice.dev/real-node: "true"}
    tolerations: [{key: sluice.dev/real-node, operator: Exists, effect: NoSchedule}]
  - name: Consume
    container: {image: "$busybox", command: [sh, -c, "mkdir -p /out/d && cat /in/d/f.txt > /out/d/f.txt && echo consumed >> /out/d/f.txt"]}
    inputs: [{name: d, from: "\$(steps.Produce.outputs.d)", path: /in/d}]
    outputs: [{name: d, path: /out/d}]
    nodeSelector: {sluice.dev/real-node: "true"}
    tolerations: [{key: sluice.dev/real-node, operator: Exists, effect: NoSchedule}]
YAML
	done
	local t0=$SECONDS
	bash "$ROOT/tests/cluster/restart.sh" --down 30 versitygw-pods >"$LOGS/restart.log" 2>&1 &
	local restart=$!
	sleep 0.5 # the server is down before any step can stage
	for name in outage-retries outage-once; do
		kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: sluice.dev/v1alpha1
kind: PipelineExecution
metadata: {name: $name-1}
spec: {pipelineRef: {name: $name}}
YAML
	done
	wait "$restart" || { cat "$LOGS/restart.log" >&2; fail "the pods' S3 server did not come back"; }
	echo "ok: the pods' S3 server was down for 30 s and served again $((SECONDS - t0)) s after the runs started"

	local phase msg got
	phase="$(wait_phase outage-once-1)"
	[[ "$phase" == Failed ]] || { dump outage-once-1; fail "the run without retries ended '$phase' through a 30 s S3 outage"; }
	msg="$(step_field outage-once-1 Produce message)"
	[[ "$(step_field outage-once-1 Produce phase)" == Failed && "$msg" == *"$BUCKET"* ]] ||
		{ dump outage-once-1; fail "Produce without retries: phase '$(step_field outage-once-1 Produce phase)', message without the store: [$msg]"; }
	[[ -z "$(step_field outage-once-1 Produce outputs)" ]] || fail "a failed step reported outputs: $(step_field outage-once-1 Produce outputs)"
	echo "ok: without retries the step failed with the store's error: [$(tr '\n' '|' <<<"$msg")]"

	phase="$(wait_phase outage-retries-1)"
	[[ "$phase" == Succeeded ]] || { dump outage-retries-1; fail "the run with retries ended '$phase' through a 30 s S3 outage"; }
	attempts="$(step_field outage-retries-1 Produce attemptCount)"
	((attempts >= 2)) || fail "Produce succeeded in $attempts attempt(s): the outage never hit it"
	got="$(s3_get "$BUCKET/o/$NS/outage-retries/outage-retries-1/Consume/d/f.txt")"
	[[ "$got" == $'produced\nconsumed' ]] || fail "Consume's output in the store is [$got]"
	echo "ok: with retries Produce succeeded on attempt $attempts after the outage, and its output was in the store (Consume read it: [$(tr '\n' '|' <<<"$got")])"
}

case "$CASE" in
portability) portability ;;
abalone) abalone ;;
behaviour) behaviour ;;
s3outage) s3outage ;;
*) fail "unknown case $CASE" ;;
esac
