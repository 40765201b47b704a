# The real test node (up.sh --real-node), sourced by up.sh: containerd and
# runc from Debian, a kubelet built from the pinned k8s.io/kubernetes, CNI
# from Debian's containernetworking-plugins on a bridge made here, and the
# images `make images` built imported into containerd (nothing is pulled).
#
# Network: pods live in network namespaces containerd's CNI makes, on the
# bridge below. The bridge has an address for the host side and nothing
# else: no NAT, no forwarding (the host's ip_forward is left as it is and is
# checked to be off), and pods get no default route, only the bridge's own
# subnet. The only server pods reach is the S3 server's extra listener on
# the bridge address. containerd listens on Unix sockets in the run
# directory, the kubelet's health endpoint on 127.0.0.1, and the kubelet's
# API (logs, exec: the apiserver calls it) on the bridge address: the node
# needs an address that is on this machine but not loopback (the kubelet
# refuses 127.0.0.0/8 as a node IP), and the bridge's is exactly that.
#
# Everything is recorded under $RUN/real-node so down.sh removes exactly
# what was made here (real_node_down.sh).

REAL_NODE_NAME=sluice-real-node
REAL_NODE_BRIDGE=sluice-br0
REAL_NODE_SUBNET_PREFIX=10.244.250
REAL_NODE_GATEWAY=$REAL_NODE_SUBNET_PREFIX.1
# The taint and label real-node pods opt into: kwok's pods and the e2e
# tests' Jobs keep landing on the fake nodes.
REAL_NODE_TAINT_KEY=sluice.dev/real-node

real_node_preflight() {
	(($(id -u) == 0)) || die "--real-node needs root (kubelet, containerd, network namespaces)"
	local t
	for t in containerd containerd-shim-runc-v2 ctr runc ip; do
		command -v "$t" >/dev/null || die "--real-node: $t is not installed (run 'make deps')"
	done
	[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
		die "--real-node: CNI plugins missing in /usr/lib/cni (Debian containernetworking-plugins; run 'make deps')"
	[[ "$(cat /proc/sys/net/ipv4/ip_forward)" == 0 ]] ||
		die "--real-node: net.ipv4.ip_forward is on; pods could then be routed off this machine"
	ip link show "$REAL_NODE_BRIDGE" >/dev/null 2>&1 &&
		die "--real-node: bridge $REAL_NODE_BRIDGE exists (another real-node cluster is up; stop it with its down.sh)"
	IMAGES_DIR="${SLUICE_IMAGES_DIR:-$CLUSTER_DIR/../../build/images}"
	local img
	for img in pause runner; do
		[[ -s "$IMAGES_DIR/$img.tar" ]] || die "--real-node: $IMAGES_DIR/$img.tar is missing (run 'make images')"
	done
}

# real_node_containerd: containerd with all its state in the run directory,
# the CRI plugin on runc (cgroupfs: this machine has no systemd) and CNI.
real_node_containerd() {
	local d="$RUN/real-node"
	mkdir -p "$d"/{containerd/root,containerd/state,containerd/opt,cni/net.d,cni/state,certs.d/_default,kubelet/root}
	# Any pull goes to a port nothing listens on: an image that was not
	# imported fails at once instead of reaching for a registry.
	cat >"$d/certs.d/_default/hosts.toml" <<-EOF
		server = "http://127.0.0.1:9"
		[host."http://127.0.0.1:9"]
		  capabilities = ["pull", "resolve"]
	EOF
	cat >"$d/containerd/config.toml" <<-EOF
		version = 2
		root = "$d/containerd/root"
		state = "$d/containerd/state"
		disabled_plugins = ["io.containerd.internal.v1.tracing", "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.devmapper"]
		[grpc]
		  address = "$d/containerd/containerd.sock"
		[ttrpc]
		  address = "$d/containerd/containerd.sock.ttrpc"
		[debug]
		  level = "warn"
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$d/containerd/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "sluice.local/pause:3.10"
		  disable_apparmor = true
		  enable_selinux = false
		  # Root here may not lower oom_score_adj (the sandbox the tests run
		  # in forbids it); containers get no lower score than containerd's.
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        BinaryName = "$(command -v runc)"
		        Root = "$d/runc"
		        SystemdCgroup = false
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$d/cni/net.d"
		    max_conf_num = 1
		  [plugins."io.containerd.grpc.v1.cri".registry]
		    config_path = "$d/certs.d"
	EOF
	# No isGateway/ipMasq and no routes: pods reach the bridge subnet only.
	cat >"$d/cni/net.d/10-sluice.conflist" <<-EOF
		{
		  "cniVersion": "1.0.0",
		  "name": "sluice-test",
		  "plugins": [
		    {
		      "type": "bridge",
		      "bridge": "$REAL_NODE_BRIDGE",
		      "isGateway": false,
		      "ipMasq": false,
		      "hairpinMode": false,
		      "ipam": {
		        "type": "host-local",
		        "ranges": [[{"subnet": "$REAL_NODE_SUBNET_PREFIX.0/24", "rangeStart": "$REAL_NODE_SUBNET_PREFIX.10", "rangeEnd": "$REAL_NODE_SUBNET_PREFIX.250"}]],
		        "routes": [],
		        "dataDir": "$d/cni/state"
		      }
		    },
		    {"type": "loopback"}
		  ]
		}
	EOF
	# The bridge, with only the host's address on it.
	ip link add "$REAL_NODE_BRIDGE" type bridge
	echo "$REAL_NODE_BRIDGE" >"$d/bridge"
	ip addr add "$REAL_NODE_GATEWAY/24" dev "$REAL_NODE_BRIDGE"
	ip link set "$REAL_NODE_BRIDGE" up
	# Network namespaces present before, so down.sh removes only those
	# containerd makes for this cluster's pods.
	ls /run/netns 2>/dev/null >"$d/netns-before" || true

	start containerd containerd --config "$d/containerd/config.toml"
	CTR=(ctr --address "$d/containerd/containerd.sock" --namespace k8s.io)
	wait_for "containerd" 30 "${CTR[@]}" version
	local tar
	for tar in "$IMAGES_DIR"/*.tar; do
		"${CTR[@]}" images import --no-unpack=false "$tar" >/dev/null 2>"$RUN/logs/ctr-import.log" ||
			{ cat "$RUN/logs/ctr-import.log" >&2; die "ctr images import $tar failed"; }
	done
	# containerd keeps the sandbox image from garbage collection only when
	# it is labelled pinned; the kubelet's image GC is off as well (below).
	"${CTR[@]}" images label sluice.local/pause:3.10 io.cri-containerd.pinned=pinned >/dev/null
}

# real_node_kubelet: the kubelet, registered with a client certificate from
# the test CA (group system:nodes: the Node authorizer), serving its API on
# the bridge address with a CA-signed certificate the apiserver verifies
# and client certificates only (no anonymous access).
real_node_kubelet() {
	local d="$RUN/real-node"
	gen_cert "$PKI" kubelet "/O=system:nodes/CN=system:node:$REAL_NODE_NAME" clientAuth
	gen_cert "$PKI" kubelet-serving "/CN=$REAL_NODE_NAME" serverAuth "IP:$REAL_NODE_GATEWAY,DNS:$REAL_NODE_NAME"
	write_kubeconfig "$d/kubelet.kubeconfig" "$SERVER" "$PKI" kubelet
	KUBELET_PORT=$(free_port)
	KUBELET_HEALTHZ_PORT=$(free_port)
	# Pods get this as resolv.conf: no name server off the machine (they
	# have no route there either; S3 is reached by address).
	printf 'nameserver 127.0.0.1\noptions ndots:0\n' >"$d/kubelet/resolv.conf"
	cat >"$d/kubelet/config.yaml" <<-EOF
		apiVersion: kubelet.config.k8s.io/v1beta1
		kind: KubeletConfiguration
		address: $REAL_NODE_GATEWAY
		port: $KUBELET_PORT
		readOnlyPort: 0
		healthzBindAddress: 127.0.0.1
		healthzPort: $KUBELET_HEALTHZ_PORT
		tlsCertFile: $PKI/kubelet-serving.crt
		tlsPrivateKeyFile: $PKI/kubelet-serving.key
		authentication:
		  anonymous: {enabled: false}
		  webhook: {enabled: false}
		  x509: {clientCAFile: $PKI/ca.crt}
		authorization: {mode: AlwaysAllow}
		# This machine has cgroup v1 and no systemd. kubelet v1.36 refuses
		# cgroup v1 unless told; containerd 1.6 has no RuntimeConfig CRI call,
		# so the driver comes from here (the fallback v1.36 still has).
		failCgroupV1: false
		cgroupDriver: cgroupfs
		cgroupRoot: /sluice-testenv
		failSwapOn: false
		resolvConf: $d/kubelet/resolv.conf
		clusterDomain: cluster.local
		maxPods: 30
		serializeImagePulls: false
		imageGCHighThresholdPercent: 100
		imageGCLowThresholdPercent: 99
		evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
		nodeStatusUpdateFrequency: 4s
		nodeStatusReportFrequency: 10s
		syncFrequency: 10s
		fileCheckFrequency: 60s
		registerWithTaints:
		- {key: $REAL_NODE_TAINT_KEY, value: "true", effect: NoSchedule}
		containerLogMaxSize: 10Mi
		containerRuntimeEndpoint: unix://$d/containerd/containerd.sock
		localStorageCapacityIsolation: true
	EOF
	# The pods' cgroup root, in every cgroup v1 hierarchy (the kubelet makes
	# what is below it). A new cpuset starts with no CPUs and no memory
	# nodes: it gets its parent's.
	local h
	for h in /sys/fs/cgroup/*/; do
		[[ -d "$h" && "$h" != */unified/ ]] || continue
		mkdir -p "$h/sluice-testenv"
		if [[ -f "$h/cpuset.cpus" ]]; then
			cat "$h/cpuset.cpus" >"$h/sluice-testenv/cpuset.cpus"
			cat "$h/cpuset.mems" >"$h/sluice-testenv/cpuset.mems"
		fi
	done
	start kubelet "$BIN/kubelet" --config="$d/kubelet/config.yaml" --kubeconfig="$d/kubelet.kubeconfig" \
		--root-dir="$d/kubelet/root" --hostname-override="$REAL_NODE_NAME" --node-ip="$REAL_NODE_GATEWAY" \
		--node-labels="$REAL_NODE_TAINT_KEY=true" --v=1
	wait_for "kubelet" 90 curl -sf "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz"
	wait_for "kubelet node Ready" 120 "${KUBECTL[@]}" wait --for=condition=Ready "node/$REAL_NODE_NAME" --timeout=1s
}

# real_node_s3: the S3 store once more on the bridge address, the one
# server the pods talk to (same directory, same keys).
real_node_s3() {
	POD_S3_PORT=$(free_port)
	ROOT_ACCESS_KEY="$S3_ACCESS_KEY" ROOT_SECRET_KEY="$S3_SECRET_KEY" \
		start versitygw-pods "$BIN/versitygw" --port "$REAL_NODE_GATEWAY:$POD_S3_PORT" --region us-east-1 posix "$RUN/s3"
	wait_for "versitygw (pods)" 30 curl -s -o /dev/null "http://$REAL_NODE_GATEWAY:$POD_S3_PORT/"
}
