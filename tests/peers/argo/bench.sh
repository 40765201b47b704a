#!/usr/bin/env bash
# bench.sh: Argo Workflows v3.7.3 workflow-controller step-to-step latency on
# the private control plane of tests/cluster/up.sh (apiserver + etcd, no
# kubelet; the harness completes pods).
# Bench-only (not part of make test):
#   SLUICE_TESTENV_RUN=/tmp/peers-run bash tests/cluster/up.sh
#   tests/peers/argo/build.sh
#   MODES="defaults tuned" tests/peers/argo/bench.sh   # results in $SLUICE_TESTENV_RUN/argo/
#   SLUICE_TESTENV_RUN=/tmp/peers-run bash tests/cluster/down.sh
set -euo pipefail
cd "$(dirname "$0")"
export SLUICE_TESTENV_RUN=${SLUICE_TESTENV_RUN:-/tmp/peers-run}
source "$SLUICE_TESTENV_RUN/env"
K=("$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG")
A=$(go env GOMODCACHE)/github.com/argoproj/argo-workflows/v3@v3.7.3
H=~/.cache/sluice/peers/bin/argo-harness
"${K[@]}" apply --server-side -f "$A"/manifests/base/crds/minimal/argoproj.io_workflows.yaml \
	-f "$A"/manifests/base/crds/minimal/argoproj.io_workflowtaskresults.yaml \
	-f "$A"/manifests/base/crds/minimal/argoproj.io_workflowtemplates.yaml \
	-f "$A"/manifests/base/crds/minimal/argoproj.io_clusterworkflowtemplates.yaml \
	-f "$A"/manifests/base/crds/minimal/argoproj.io_cronworkflows.yaml \
	-f "$A"/manifests/base/crds/minimal/argoproj.io_workflowtasksets.yaml \
	-f "$A"/manifests/base/crds/minimal/argoproj.io_workflowartifactgctasks.yaml \
	-f "$A"/manifests/base/crds/minimal/argoproj.io_workfloweventbindings.yaml >/dev/null
"${K[@]}" wait --for=condition=Established crd --all --timeout=60s >/dev/null
"${K[@]}" apply -f setup.yaml >/dev/null
R="$SLUICE_TESTENV_RUN/argo"
mkdir -p "$R"
for mode in ${MODES:-defaults tuned}; do
	./controller.sh start "$mode"
	sleep 6
	for n in 1 20; do
		"$H" -kubeconfig "$SLUICE_TEST_KUBECONFIG" -n $n -label "${mode:0:1}$n" -timeout 4m \
			-out "$R/bench-$mode-n$n.jsonl" | tee "$R/bench-$mode-n$n.txt"
	done
	./controller.sh stop
	sleep 2
done
