# Tears down what real_node.sh made, sourced by down.sh after the kubelet
# and before containerd are stopped: every container and pod sandbox of
# this cluster's containerd, their shims, the network namespaces and veths
# containerd made for them, the mounts under the run directory, the
# kubelet's cgroups, and the bridge. Each step tolerates what is already
# gone, so down.sh can run twice.

real_node_down_containers() {
	local d="$RUN/real-node" sock="$RUN/real-node/containerd/containerd.sock"
	[[ -S "$sock" ]] || return 0
	local ctr=(ctr --address "$sock" --namespace k8s.io) id
	for id in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
		"${ctr[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
	done
	for _ in $(seq 1 50); do
		[[ -z "$("${ctr[@]}" tasks ls -q 2>/dev/null | head -1)" ]] && break
		for id in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
			"${ctr[@]}" tasks delete "$id" >/dev/null 2>&1 || true
		done
		sleep 0.1
	done
	for id in $("${ctr[@]}" containers ls -q 2>/dev/null); do
		"${ctr[@]}" containers delete "$id" >/dev/null 2>&1 || true
	done
}

real_node_down_rest() {
	local d="$RUN/real-node"
	[[ -d "$d" ]] || return 0
	# Shims outlive containerd by design; ours name our socket.
	local pid
	for pid in $(pgrep -f -- "-address $d/containerd/containerd.sock" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	# Network namespaces containerd made for this cluster's pods.
	if [[ -f "$d/netns-before" ]]; then
		local ns
		for ns in $(ls /run/netns 2>/dev/null); do
			[[ "$ns" == cni-* ]] || continue
			grep -qxF "$ns" "$d/netns-before" && continue
			umount "/run/netns/$ns" 2>/dev/null || true
			rm -f "/run/netns/$ns"
		done
	fi
	# Mounts below the run directory (overlay roots, secret volumes, the
	# kubelet's bind mounts), deepest first.
	local m
	while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done < <(awk -v root="$d" '$5 == root || index($5, root "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
	# The kubelet's cgroups (cgroupRoot /sluice-testenv) in every hierarchy.
	local c
	for c in /sys/fs/cgroup/*/sluice-testenv /sys/fs/cgroup/sluice-testenv; do
		[[ -d "$c" ]] || continue
		find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
	if [[ -f "$d/bridge" ]]; then
		local br
		br="$(cat "$d/bridge")"
		# veths left on the bridge by pods whose teardown never ran.
		local v
		for v in $(ip -o link show master "$br" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
			ip link delete "$v" 2>/dev/null || true
		done
		ip link delete "$br" 2>/dev/null || true
	fi
	rm -rf "$d"
}
