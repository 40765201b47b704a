#!/usr/bin/env bash
# Starts a real local Kubernetes control plane for the tests, on loopback only.
#
#   up.sh          etcd + kube-apiserver (integration tier: no controllers;
#                  tests play kubelet and Job controller themselves)
#   up.sh --s3     the same plus the S3-compatible server (versitygw)
#   up.sh --full   adds kube-controller-manager, kube-scheduler, kwok with
#                  three fake nodes (two CPU, one GPU) and the S3 server
#   up.sh --full --real-node
#                  adds a real node: containerd + runc, a kubelet, CNI on a
#                  bridge, and the images of `make images` (real_node.sh);
#                  needs root. Its pods run for real; it carries the taint
#                  sluice.dev/real-node=true:NoSchedule and that label, so
#                  only pods that ask for it land there.
#
# State lives in $SLUICE_TESTENV_RUN (default /tmp/sluice-testenv). Tests read
# $SLUICE_TESTENV_RUN/env. down.sh stops exactly the processes started here.
# SLUICE_TESTENV_PROFILING=true serves kube-apiserver's /debug/pprof (for
# finding where its CPU goes under a benchmark: kubectl get --raw
# "/debug/pprof/profile?seconds=10" > cpu.pprof; go tool pprof -top ...).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/certs.sh"
source "$CLUSTER_DIR/real_node.sh"

FULL=0 S3=0 REAL_NODE=0
for a in "$@"; do
	case "$a" in
	--full) FULL=1 S3=1 ;;
	--s3) S3=1 ;;
	--real-node) REAL_NODE=1 FULL=1 S3=1 ;;
	*) die "unknown flag $a (use --s3, --full or --real-node)" ;;
	esac
done
((REAL_NODE)) && real_node_preflight

RUN="$SLUICE_TESTENV_RUN"
if [[ -d "$RUN/pids" ]] && ls "$RUN"/pids/*.pid >/dev/null 2>&1; then
	log "a cluster is already recorded in $RUN; stopping it first"
	bash "$CLUSTER_DIR/down.sh"
fi
need=(etcd kube-apiserver kubectl)
((S3)) && need+=(versitygw)
((FULL)) && need+=(kube-controller-manager kube-scheduler kwok)
((REAL_NODE)) && need+=(kubelet)
BIN="$(bash "$CLUSTER_DIR/build.sh" "${need[@]}")"
rm -rf "$RUN"
mkdir -p "$RUN"/{pki,logs,pids,cmds,etcd,s3}
chmod 700 "$RUN"
PKI="$RUN/pki"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start NAME CMD...: runs a component in the background, its own process
# group, output to logs/NAME.log, pid recorded for down.sh, argv recorded
# (NUL-separated) for restart.sh. No secret is ever on a command line: S3
# keys go through the environment.
start() {
	local name="$1"
	shift
	printf '%s\0' "$@" >"$RUN/cmds/$name"
	setsid "$@" >"$RUN/logs/$name.log" 2>&1 </dev/null &
	echo $! >"$RUN/pids/$name.pid"
}

# wait_for WHAT TIMEOUT CMD...: polls CMD until it succeeds.
wait_for() {
	local what="$1" timeout="$2" deadline
	shift 2
	deadline=$((SECONDS + timeout))
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS >= deadline)); then
			log "timed out after ${timeout}s waiting for $what; last log lines:"
			tail -n 30 "$RUN/logs/${what%% *}.log" >&2 2>/dev/null || true
			bash "$CLUSTER_DIR/down.sh" || true
			exit 1
		fi
		sleep 0.3
	done
}

# ---- certificates ----
gen_ca "$PKI"
gen_cert "$PKI" apiserver "/CN=kube-apiserver" serverAuth \
	"IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
gen_cert "$PKI" admin "/O=system:masters/CN=sluice-test-admin" clientAuth
# The apiserver's client certificate towards kubelets (logs, exec), which
# the real node's kubelet accepts as signed by the test CA.
gen_cert "$PKI" apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

# ---- etcd ----
ETCD_PORT=$(free_port) ETCD_PEER_PORT=$(free_port)
# --unsafe-no-fsync: test data only; fsync on a shared disk slows every write.
start etcd "$BIN/etcd" --name sluice-testenv --data-dir "$RUN/etcd" \
	--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
	--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
	--initial-cluster "sluice-testenv=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
wait_for "etcd" 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"

# ---- kube-apiserver ----
API_PORT=$(free_port)
SERVER="https://127.0.0.1:$API_PORT"
# Compaction every 10 s (default 5 min) and ConfigMaps watched straight from
# etcd (no watch cache), so an old resourceVersion really expires within a
# test run and a watch from it gets 410 Gone, as on a long-lived cluster.
# The service range is never routed anywhere: there is no kube-proxy, and
# every client here talks to the advertise address 127.0.0.1.
start kube-apiserver "$BIN/kube-apiserver" \
	--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
	--etcd-servers="http://127.0.0.1:$ETCD_PORT" \
	--tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
	--client-ca-file="$PKI/ca.crt" \
	--service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
	--service-account-issuer=https://kubernetes.default.svc.cluster.local \
	--api-audiences=https://kubernetes.default.svc.cluster.local \
	--service-cluster-ip-range=10.0.0.0/24 \
	--authorization-mode=Node,RBAC \
	--kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
	--kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
	--profiling="${SLUICE_TESTENV_PROFILING:-false}" --enable-priority-and-fairness=false \
	--etcd-compaction-interval=10s --watch-cache-sizes=configmaps#0 \
	--v=1
write_kubeconfig "$RUN/admin.kubeconfig" "$SERVER" "$PKI" admin
KUBECTL=("$BIN/kubectl" --kubeconfig "$RUN/admin.kubeconfig")
wait_for "kube-apiserver" 90 curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$SERVER/readyz"
# RBAC bootstrap roles are created after readyz on some releases; wait for them.
wait_for "kube-apiserver rbac" 30 "${KUBECTL[@]}" get clusterrole system:kube-controller-manager

# Without the controller-manager nothing creates the default ServiceAccount
# that admission requires for every pod; create it so integration tests can
# make pods in the default namespace.
"${KUBECTL[@]}" create serviceaccount default -n default >/dev/null 2>&1 || true

# ---- S3 (versitygw on a local directory) ----
if ((S3)); then
	S3_PORT=$(free_port)
	S3_ACCESS_KEY="sluice-test-$(openssl rand -hex 4)"
	S3_SECRET_KEY="$(openssl rand -hex 20)"
	# Keys go through the environment, not the command line, so ps never shows them.
	ROOT_ACCESS_KEY="$S3_ACCESS_KEY" ROOT_SECRET_KEY="$S3_SECRET_KEY" \
		start versitygw "$BIN/versitygw" --port "127.0.0.1:$S3_PORT" --region us-east-1 posix "$RUN/s3"
	wait_for "versitygw" 30 curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"
	# The same store over HTTPS, with a certificate for 127.0.0.1 from the
	# cluster CA, so the S3 client's certificate verification is tested
	# against a real server.
	S3_TLS_PORT=$(free_port)
	gen_cert "$PKI" s3 "/CN=sluice-testenv-s3" serverAuth "IP:127.0.0.1"
	ROOT_ACCESS_KEY="$S3_ACCESS_KEY" ROOT_SECRET_KEY="$S3_SECRET_KEY" \
		start versitygw-tls "$BIN/versitygw" --port "127.0.0.1:$S3_TLS_PORT" \
		--cert "$PKI/s3.crt" --key "$PKI/s3.key" --region us-east-1 posix "$RUN/s3"
	wait_for "versitygw (TLS)" 30 curl -s --cacert "$PKI/ca.crt" -o /dev/null "https://127.0.0.1:$S3_TLS_PORT/"
fi

# ---- controllers, scheduler, fake nodes ----
if ((FULL)); then
	gen_cert "$PKI" controller-manager "/CN=system:kube-controller-manager" clientAuth
	gen_cert "$PKI" scheduler "/CN=system:kube-scheduler" clientAuth
	gen_cert "$PKI" kwok "/O=system:masters/CN=kwok" clientAuth
	write_kubeconfig "$RUN/controller-manager.kubeconfig" "$SERVER" "$PKI" controller-manager
	write_kubeconfig "$RUN/scheduler.kubeconfig" "$SERVER" "$PKI" scheduler
	write_kubeconfig "$RUN/kwok.kubeconfig" "$SERVER" "$PKI" kwok

	KCM_PORT=$(free_port)
	# Each controller acts as its own ServiceAccount (system:controller:*),
	# with the bootstrap roles' least privileges. The node lifecycle
	# controller lifts the not-ready taint admission puts on new nodes; the
	# pod garbage collector fails and removes pods of a deleted node, as on
	# a real cluster (the node-deleted fault case).
	start kube-controller-manager "$BIN/kube-controller-manager" \
		--kubeconfig="$RUN/controller-manager.kubeconfig" \
		--authentication-kubeconfig="$RUN/controller-manager.kubeconfig" \
		--authorization-kubeconfig="$RUN/controller-manager.kubeconfig" \
		--bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false \
		--controllers=job-controller,garbage-collector-controller,pod-garbage-collector-controller,ttl-after-finished-controller,serviceaccount-controller,serviceaccount-token-controller,namespace-controller,root-ca-certificate-publisher-controller,node-lifecycle-controller \
		--service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
		--use-service-account-credentials=true --v=1

	SCHED_PORT=$(free_port)
	start kube-scheduler "$BIN/kube-scheduler" \
		--kubeconfig="$RUN/scheduler.kubeconfig" \
		--authentication-kubeconfig="$RUN/scheduler.kubeconfig" \
		--authorization-kubeconfig="$RUN/scheduler.kubeconfig" \
		--bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --leader-elect=false --v=1

	# kwok plays the kubelet of the annotated fake nodes; pod IPs come from a
	# loopback range and it serves no kubelet endpoint, so the apiserver never
	# proxies anywhere.
	start kwok "$BIN/kwok" --kubeconfig="$RUN/kwok.kubeconfig" --config="$BIN/kwok-stages.yaml" \
		--manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
		--node-ip=127.0.1.1 --cidr=127.2.0.1/16 --node-lease-duration-seconds=40 \
		--server-address="" --v=1 ${KWOK_EXTRA_ARGS:-}

	"${KUBECTL[@]}" apply -f "$CLUSTER_DIR/nodes.yaml" >/dev/null
	wait_for "kube-controller-manager" 60 curl -skf "https://127.0.0.1:$KCM_PORT/healthz"
	wait_for "kube-scheduler" 60 curl -skf "https://127.0.0.1:$SCHED_PORT/healthz"
	wait_for "kwok nodes Ready" 60 "${KUBECTL[@]}" wait --for=condition=Ready node -l type=kwok --timeout=1s
fi

# ---- the real node ----
if ((REAL_NODE)); then
	real_node_containerd
	real_node_kubelet
	real_node_s3
fi

{
	echo "# written by tests/cluster/up.sh; source it to reach the test cluster"
	echo "export SLUICE_TESTENV_RUN='$RUN'"
	echo "export SLUICE_TEST_KUBECONFIG='$RUN/admin.kubeconfig'"
	echo "export SLUICE_TEST_KUBECTL='$BIN/kubectl'"
	echo "export SLUICE_TEST_HELM='$BIN/helm'"
	echo "export SLUICE_TEST_KUBE_VERSION='$KUBE_VERSION'"
	echo "export SLUICE_TEST_FULL='$FULL'"
	echo "export SLUICE_TEST_REAL_NODE='$( ((REAL_NODE)) && echo "$REAL_NODE_NAME")'"
	if ((REAL_NODE)); then
		echo "export SLUICE_TEST_REAL_NODE_TAINT='$REAL_NODE_TAINT_KEY'"
		echo "export SLUICE_TEST_POD_S3_ENDPOINT='http://$REAL_NODE_GATEWAY:$POD_S3_PORT'"
	fi
	if ((S3)); then
		echo "export SLUICE_TEST_S3_ENDPOINT='http://127.0.0.1:$S3_PORT'"
		echo "export SLUICE_TEST_S3_TLS_ENDPOINT='https://127.0.0.1:$S3_TLS_PORT'"
		echo "export SLUICE_TEST_S3_CA_FILE='$PKI/ca.crt'"
		echo "export SLUICE_TEST_S3_ACCESS_KEY='$S3_ACCESS_KEY'"
		echo "export SLUICE_TEST_S3_SECRET_KEY='$S3_SECRET_KEY'"
		echo "export SLUICE_TEST_S3_REGION='us-east-1'"
	fi
} >"$RUN/env"
chmod 600 "$RUN/env"

log "cluster ready ($( ((FULL)) && echo full || echo apiserver)$( ((S3)) && echo ' + s3')$( ((REAL_NODE)) && echo ' + real node')) at $SERVER"
log "kubeconfig: $RUN/admin.kubeconfig   logs: $RUN/logs   env: source $RUN/env"
