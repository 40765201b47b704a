#!/usr/bin/env bash
# controller.sh start defaults|qps-only|tuned   /   controller.sh stop
# Runs the loopback-patched Tekton Pipelines v1.6.0 controller as a local
# process against the private test cluster of tests/cluster/up.sh
# (SLUICE_TESTENV_RUN=/tmp/tekton-run); its command line, log and pid go to
# $SLUICE_TESTENV_RUN/tekton/. Every listener is on 127.0.0.1, on free ports.
#
# "defaults": upstream's flags (config/controller.yaml): threads-per-controller 2
#   (knative DefaultThreadsPerController), kube-api-qps/-burst unset (0), which
#   cmd/controller turns into client QPS 2*2*5 = 20 and burst 2*10 = 20.
# "qps-only": only -kube-api-qps 200 -kube-api-burst 400 (threads stay 2).
# "tuned": docs/tekton-controller-performance-configuration.md's knobs:
#   -threads-per-controller 32 -kube-api-qps 200 -kube-api-burst 400
#   (cmd/controller doubles both: client QPS 400, burst 800).
# Both: -disable-ha (no leader election, as the Argo peer's
# LEADER_ELECTION_DISABLE=true); image flags are placeholders (no kubelet pulls).
set -euo pipefail
RUN=${SLUICE_TESTENV_RUN:-/tmp/tekton-run}
source "$RUN/env"
BIN=~/.cache/sluice/peers/bin
OUT="$RUN/tekton"
mkdir -p "$OUT"
PIDF="$OUT/controller.pid"
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# knative parses METRICS_PROMETHEUS_PORT as a signed 16-bit int: below 32768.
free_low_port() {
	python3 -c '
import random, socket
for p in random.sample(range(20000, 32768), 200):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close()'
}
case "$1" in
start)
	mode=$2
	args=(-kubeconfig "$SLUICE_TEST_KUBECONFIG" -disable-ha
		-entrypoint-image bench.invalid/tekton/entrypoint:v1.6.0
		-nop-image bench.invalid/tekton/nop:v1.6.0
		-sidecarlogresults-image bench.invalid/tekton/sidecarlogresults:v1.6.0
		-workingdirinit-image bench.invalid/tekton/workingdirinit:v1.6.0
		-shell-image bench.invalid/busybox:1.36
		-shell-image-win bench.invalid/powershell:nanoserver)
	# The environment of upstream's config/controller.yaml, plus the ports.
	envs=(SYSTEM_NAMESPACE=tekton-pipelines KUBERNETES_MIN_VERSION=v1.28.0
		CONFIG_DEFAULTS_NAME=config-defaults CONFIG_LOGGING_NAME=config-logging
		CONFIG_OBSERVABILITY_NAME=config-observability CONFIG_FEATURE_FLAGS_NAME=feature-flags
		CONFIG_LEADERELECTION_NAME=config-leader-election-controller CONFIG_SPIRE=config-spire
		METRICS_DOMAIN=tekton.dev/pipeline
		METRICS_PROMETHEUS_HOST=127.0.0.1 METRICS_PROMETHEUS_PORT=$(free_low_port)
		PROFILING_PORT=$(free_port) PROBES_PORT=$(free_port))
	case $mode in
	defaults) ;;
	qps-only) args+=(-kube-api-qps 200 -kube-api-burst 400) ;;
	tuned) args+=(-threads-per-controller 32 -kube-api-qps 200 -kube-api-burst 400) ;;
	*) echo "unknown mode $mode" >&2; exit 2 ;;
	esac
	echo "env ${envs[*]} $BIN/tekton-controller-loopback ${args[*]}" >"$OUT/controller-$mode.cmd"
	env "${envs[@]}" setsid "$BIN/tekton-controller-loopback" "${args[@]}" >"$OUT/controller-$mode.log" 2>&1 </dev/null &
	echo $! >"$PIDF"
	echo "$mode" >"$OUT/controller.mode"
	;;
stop)
	if [[ -f $PIDF ]]; then
		pid=$(cat "$PIDF")
		# CPU seconds the controller used (utime+stime), for the write-up.
		if [[ -r /proc/$pid/stat ]]; then
			awk -v hz="$(getconf CLK_TCK)" '{printf "controller cpu seconds: %.1f\n", ($14+$15)/hz}' "/proc/$pid/stat" \
				>>"$OUT/controller-$(cat "$OUT/controller.mode" 2>/dev/null || echo unknown).cpu"
		fi
		kill "$pid" 2>/dev/null || true
	fi
	rm -f "$PIDF"
	;;
esac
