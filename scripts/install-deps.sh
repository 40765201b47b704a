#!/usr/bin/env bash
# Installs every system dependency of the build and the tests. Idempotent and
# quiet: when everything is present it prints nothing and touches nothing.
set -euo pipefail

PACKAGES=(
	g++ clang libclang-rt-14-dev cmake ninja-build make pkg-config
	libcpprest-dev libyaml-cpp-dev libboost-dev libboost-system-dev libssl-dev zlib1g-dev
	googletest libgtest-dev openssl ca-certificates curl python3 python3-venv procps
	# images without a Docker engine (make images)
	mmdebstrap buildah skopeo
	# the real test node (tests/cluster/up.sh --real-node)
	containerd runc containernetworking-plugins iproute2
	# the web view's browser test (puppeteer-core drives it)
	chromium
)
# Node.js builds the web view (operator/ui/web). Any Node >= 18 with npm will
# do: Debian's packages when the machine has none (a NodeSource node already
# bundles npm, and Debian's npm would conflict with it).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
	# Substring: a package installed for several architectures prints its status once per architecture.
	[[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == *"install ok installed"* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "[deps] installing: ${missing[*]}" >&2
	SUDO=""
	[[ $(id -u) -eq 0 ]] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The test control plane is built from Kubernetes' Go modules, which need the
# Go toolchain the release was made with (go.mod says 1.26). Debian's golang
# package is older, so Go is expected on the machine (it is on ours).
if ! command -v go >/dev/null; then
	echo "[deps] error: Go >= 1.26 is required to build the test control plane; install it and re-run" >&2
	exit 1
fi
gov="$(go env GOVERSION | sed 's/^go//')"
if [[ "$(printf '%s\n1.26\n' "$gov" | sort -V | head -1)" != 1.26 ]]; then
	echo "[deps] error: Go $gov is too old; the test control plane needs Go >= 1.26" >&2
	exit 1
fi

# The web view's npm packages (TypeScript, esbuild, dagre, puppeteer-core),
# exactly as the committed package-lock.json pins them. npm ci runs only when
# the lock file changed since the last install, so later builds are offline.
WEB="$(cd "$(dirname "$0")/.." && pwd)/operator/ui/web"
stamp="$WEB/node_modules/.sluice-lock.sha256"
want="$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
	echo "[deps] npm ci (operator/ui/web)" >&2
	(cd "$WEB" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)
	echo "$want" >"$stamp"
fi
