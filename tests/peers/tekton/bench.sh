#!/usr/bin/env bash
# bench.sh: Tekton Pipelines v1.6.0 controller step-to-step latency on the
# private control plane of tests/cluster/up.sh (apiserver + etcd, no kubelet,
# no webhook; the harness completes pods).
# Bench-only (not part of make test):
#   SLUICE_TESTENV_RUN=/tmp/tekton-run bash tests/cluster/up.sh
#   tests/peers/tekton/build.sh
#   SLUICE_TESTENV_RUN=/tmp/tekton-run MODES="defaults tuned" tests/peers/tekton/bench.sh
#   python3 tests/peers/analyze.py /tmp/tekton-run/tekton/*.jsonl
#   SLUICE_TESTENV_RUN=/tmp/tekton-run bash tests/cluster/down.sh
# NS="1 20 100" adds a 100-run round; TIMEOUT bounds each round (default 4m);
# ROUND=r2 suffixes this invocation's file names (several rounds, one cluster).
set -euo pipefail
cd "$(dirname "$0")"
export SLUICE_TESTENV_RUN=${SLUICE_TESTENV_RUN:-/tmp/tekton-run}
source "$SLUICE_TESTENV_RUN/env"
K=("$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG")
T=$(go env GOMODCACHE)/github.com/tektoncd/pipeline@v1.6.0
[[ -d $T ]] || (cd . && go mod download github.com/tektoncd/pipeline)
H=~/.cache/sluice/peers/bin/tekton-harness
python3 crds.py "$T" | "${K[@]}" apply --server-side -f - >/dev/null
"${K[@]}" wait --for=condition=Established crd --all --timeout=60s >/dev/null
# Tekton's namespace and the ConfigMaps the controller reads, unchanged.
cfgs=()
for f in "$T"/config/config-*.yaml; do cfgs+=(-f "$f"); done
"${K[@]}" apply -f "$T"/config/100-namespace/100-namespace.yaml >/dev/null
"${K[@]}" apply "${cfgs[@]}" >/dev/null
"${K[@]}" apply -f setup.yaml >/dev/null
R="$SLUICE_TESTENV_RUN/tekton"
sfx=${ROUND:+-$ROUND}
mkdir -p "$R"
for mode in ${MODES:-defaults tuned}; do
	# Each mode starts on an empty namespace: at start-up the controller
	# reconciles every existing PipelineRun and TaskRun, and at qps 20 a
	# backlog of earlier rounds' objects delayed the first run by 17 s. No
	# garbage collector runs here, so each kind is deleted explicitly, with one
	# DELETE on the collection (kubectl delete --all took minutes for 2,000).
	for c in /apis/tekton.dev/v1/namespaces/tekton-bench/pipelineruns \
		/apis/tekton.dev/v1/namespaces/tekton-bench/taskruns /api/v1/namespaces/tekton-bench/pods; do
		"${K[@]}" delete --raw "$c" >/dev/null
	done
	./controller.sh start "$mode"
	# Ready once the controllers have started (its informers are synced).
	for _ in $(seq 60); do
		grep -q '"Starting controllers..."\|Starting controllers' "$R/controller-$mode.log" 2>/dev/null && break
		sleep 1
	done
	sleep 3
	for n in ${NS:-1 20}; do
		"$H" -kubeconfig "$SLUICE_TEST_KUBECONFIG" -n $n -label "${mode:0:1}$n" -timeout "${TIMEOUT:-4m}" \
			-out "$R/bench-$mode-n$n$sfx.jsonl" | tee "$R/bench-$mode-n$n$sfx.txt"
	done
	./controller.sh stop
	cp "$R/controller-$mode.log" "$R/controller-$mode$sfx.log" 2>/dev/null || true
	sleep 2
done
