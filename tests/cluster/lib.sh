# Shared settings for the test control-plane scripts. Sourced, not run.

KUBE_VERSION=v1.36.3

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS_DIR="$CLUSTER_DIR/tools"

# The cache key covers every pinned module and the Go toolchain, so a version
# bump rebuilds and an unchanged tree reuses the binaries of an earlier run.
testenv_key() {
	{
		go version
		cat "$TOOLS_DIR"/*/go.mod "$TOOLS_DIR"/*/go.sum "$TOOLS_DIR"/*/*.go
	} | sha256sum | cut -c1-16
}

testenv_bin_dir() {
	echo "${XDG_CACHE_HOME:-$HOME/.cache}/sluice/testenv/${KUBE_VERSION}-$(testenv_key)/bin"
}

# Where a running cluster keeps its state; tests find it through the env file.
SLUICE_TESTENV_RUN="${SLUICE_TESTENV_RUN:-${TMPDIR:-/tmp}/sluice-testenv}"

log() { printf '[testenv] %s\n' "$*" >&2; }
die() { printf '[testenv] error: %s\n' "$*" >&2; exit 1; }
