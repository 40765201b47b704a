#!/usr/bin/env bash
# controller.sh start defaults|requeue-only|tuned   /   controller.sh stop
# Runs the (loopback-patched) workflow-controller against the private test
# cluster of tests/cluster/up.sh (SLUICE_TESTENV_RUN=/tmp/peers-run); its
# command line, log and pid go to $SLUICE_TESTENV_RUN/argo/.
set -euo pipefail
RUN=${SLUICE_TESTENV_RUN:-/tmp/peers-run}
source "$RUN/env"
BIN=~/.cache/sluice/peers/bin
NS=argo-bench
OUT="$RUN/argo"
mkdir -p "$OUT"
PIDF="$OUT/controller.pid"
case "$1" in
start)
	mode=$2
	args=(--kubeconfig "$SLUICE_TEST_KUBECONFIG" --namespace $NS --namespaced --managed-namespace $NS
		--executor-image quay.io/argoproj/argoexec:v3.7.3 --configmap workflow-controller-configmap --loglevel info)
	envs=(LEADER_ELECTION_DISABLE=true)
	if [[ $mode == requeue-only ]]; then
		envs+=(DEFAULT_REQUEUE_TIME=${REQUEUE:-100ms})
	fi
	if [[ $mode == tuned ]]; then
		args+=(--workflow-workers 64 --pod-cleanup-workers 8 --qps 200 --burst 400)
		envs+=(DEFAULT_REQUEUE_TIME=${REQUEUE:-100ms})
	fi
	echo "env ${envs[*]} $BIN/workflow-controller-loopback ${args[*]}" >"$OUT/controller-$mode.cmd"
	env "${envs[@]}" setsid "$BIN/workflow-controller-loopback" "${args[@]}" >"$OUT/controller-$mode.log" 2>&1 </dev/null &
	echo $! >"$PIDF"
	;;
stop)
	[[ -f $PIDF ]] && kill "$(cat "$PIDF")" 2>/dev/null || true
	rm -f "$PIDF"
	;;
esac
