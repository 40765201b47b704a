#!/usr/bin/env bash
# Builds the test control plane from published Go modules (no prebuilt
# binaries can be downloaded here) into a cache outside the repository.
# Idempotent: a component whose binary is in the cache is not rebuilt.
# Prints the bin directory on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v go >/dev/null || die "go is not installed (run 'make deps')"

BIN="$(testenv_bin_dir)"
mkdir -p "$BIN"
# One build at a time per cache: concurrent up.sh runs wait for the first
# one instead of compiling the same binaries twice on two cores.
exec 9>"$BIN/../build.lock"
if ! flock -n 9; then
	log "another build of the test control plane is running; waiting for it"
	flock 9
fi
export GOFLAGS="${GOFLAGS:--buildvcs=false} -trimpath"
export CGO_ENABLED=0

# /version must report the real release, as a released binary does.
KUBE_LDFLAGS="-s -w \
 -X k8s.io/component-base/version.gitVersion=${KUBE_VERSION} \
 -X k8s.io/component-base/version.gitMajor=$(echo "$KUBE_VERSION" | cut -d. -f1 | tr -d v) \
 -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2) \
 -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z \
 -X k8s.io/client-go/pkg/version.gitVersion=${KUBE_VERSION}"

# build_one MODULE_DIR OUTPUT PACKAGE [LDFLAGS]
build_one() {
	local dir="$1" out="$2" pkg="$3" ldflags="${4:--s -w}"
	if [[ -x "$BIN/$out" ]]; then return 0; fi
	log "building $out from $pkg (first run only; cached in $BIN)"
	local start=$SECONDS logf
	logf="$(mktemp)"
	if ! (cd "$TOOLS_DIR/$dir" && go build -ldflags "$ldflags" -o "$BIN/$out.tmp.$$" "$pkg") >"$logf" 2>&1; then
		printf '[testenv] error: building %s (%s) failed:\n' "$out" "$pkg" >&2
		tail -n 40 "$logf" >&2
		rm -f "$logf" "$BIN/$out.tmp.$$"
		exit 1
	fi
	rm -f "$logf"
	mv "$BIN/$out.tmp.$$" "$BIN/$out"
	log "built $out in $((SECONDS - start))s"
}

want="${*:-all}"
has() { [[ "$want" == all || " $want " == *" $1 "* ]]; }

has etcd && build_one etcd etcd .
has kube-apiserver && build_one kube kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$KUBE_LDFLAGS"
has kubectl && build_one kube kubectl k8s.io/kubernetes/cmd/kubectl "$KUBE_LDFLAGS"
has kube-controller-manager && build_one kube kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$KUBE_LDFLAGS"
has kube-scheduler && build_one kube kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler "$KUBE_LDFLAGS"
has kubelet && build_one kube kubelet k8s.io/kubernetes/cmd/kubelet "$KUBE_LDFLAGS"
has kwok && build_one kwok kwok sigs.k8s.io/kwok/cmd/kwok
has helm && build_one helm helm helm.sh/helm/v3/cmd/helm
has versitygw && build_one s3 versitygw github.com/versity/versitygw/cmd/versitygw
# kwok needs its stages (what fake kubelets do to nodes and pods): kwok's
# own published "fast" stages from the pinned module, with our pod-complete.
if has kwok; then
	kwok_dir="$(cd "$TOOLS_DIR/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
	stages="$kwok_dir/kustomize/stage"
	{
		for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
			pod/fast/pod-ready.yaml pod/fast/pod-delete.yaml; do
			cat "$stages/$f"
			echo "---"
		done
		cat "$CLUSTER_DIR/kwok/pod-complete.yaml"
	} >"$BIN/kwok-stages.yaml.tmp.$$"
	mv "$BIN/kwok-stages.yaml.tmp.$$" "$BIN/kwok-stages.yaml"
fi
echo "$BIN"
