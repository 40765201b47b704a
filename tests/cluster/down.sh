#!/usr/bin/env bash
# Stops exactly the processes up.sh started (by the pids it recorded), most
# dependent first, and removes the run directory's state. Safe to run twice.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN="$SLUICE_TESTENV_RUN"
[[ -d "$RUN/pids" ]] || exit 0

stop_one() {
	local f="$RUN/pids/$1.pid" pid
	[[ -f "$f" ]] || return 0
	pid="$(cat "$f")"
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}

# The real node (up.sh --real-node): the kubelet first, so it restarts
# nothing; then its containers while containerd still answers; then
# containerd and whatever it left (real_node_down.sh).
source "$CLUSTER_DIR/real_node_down.sh"
stop_one kubelet
real_node_down_containers
stop_one containerd
real_node_down_rest
for c in kwok kube-scheduler kube-controller-manager versitygw-pods versitygw-tls versitygw kube-apiserver etcd; do
	stop_one "$c"
done
# Data goes; logs stay for post-mortems until the next up.sh.
rm -rf "$RUN/etcd" "$RUN/s3" "$RUN/pki" "$RUN"/*.kubeconfig "$RUN/env"
log "stopped the cluster in $RUN"
