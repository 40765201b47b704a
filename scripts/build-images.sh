#!/usr/bin/env bash
# make images: builds Sluice's container images without a Docker engine, from
# Debian packages only, and writes each as an OCI archive under build/images/
# that `kind load image-archive`, `ctr images import` or `skopeo copy` take.
#
#   1. a root file system per package list, made by mmdebstrap from Debian's
#      archive (bookworm, or bullseye for the glibc 2.31 test image), cached
#      in ~/.cache/sluice/images/ under a hash of the suite and the packages;
#   2. imported into buildah's local storage as a base image (localhost/...);
#   3. the image built from its Dockerfile in images/ with `buildah bud
#      --pull=never` on that base, from a context holding exactly the files
#      the Dockerfile copies (the release binaries `make build` made);
#   4. pushed to build/images/NAME.tar (oci-archive) with its full reference
#      as the archive's ref name, so importers name it as the pod specs do.
#
# Idempotent: an image whose inputs (Dockerfile, context files, base) hash to
# what build/images/NAME.inputs records is not rebuilt.
#
# Usage: build-images.sh BUILD_DIR [IMAGE...]   (default: every image)
set -euo pipefail
BUILD_DIR="$(cd "${1:?usage: build-images.sh BUILD_DIR [IMAGE...]}" && pwd)"
shift
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/build/images"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/sluice/images"
VERSION="$(sed -n 's/^project(sluice VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")"
# One Debian mirror for every root file system: the one this machine's apt uses.
MIRROR="${SLUICE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${SLUICE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
mkdir -p "$OUT" "$CACHE"

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] error: %s\n' "$*" >&2; exit 1; }

for tool in mmdebstrap buildah; do
	command -v "$tool" >/dev/null || die "$tool is not installed (run 'make deps')"
done
# One build at a time: two would race on buildah's storage and the cache.
exec 8>"$CACHE/build.lock"
flock 8

# rootfs SUITE PACKAGES_FILE: prints the path of the cached root file system
# tarball for that suite and package list, making it first when missing.
# The list has one package a line; a line `path-exclude=GLOB` leaves files
# out (dpkg --path-exclude), e.g. the compiler scipy's pythran drags in.
rootfs() {
	local suite="$1" list="$2" key tar packages excludes=()
	packages="$(grep -v -e '^[[:space:]]*#' -e '^path-exclude=' "$list" | tr -s ' \n' ',,' | sed 's/^,//; s/,$//')"
	while read -r e; do excludes+=("--dpkgopt=$e"); done < <(grep '^path-exclude=' "$list" || true)
	# The key: what decides the contents (the layout version, suite, list).
	key="$(printf 'rootfs-v2\n%s\n' "$suite" | cat - "$list" | sha256sum | cut -c1-16)"
	tar="$CACHE/rootfs-$suite-$key.tar"
	if [[ ! -f "$tar" ]]; then
		log "making a Debian $suite root file system with: ${packages:-(minbase only)} (first run only)"
		local start=$SECONDS logf tmp="$CACHE/.rootfs-$$.tar"
		logf="$(mktemp)"
		# minbase: dpkg, apt and the essential set; no Recommends; docs, man
		# pages and translations are left out, which containers never read.
		if ! mmdebstrap --variant=minbase --format=tar --aptopt='APT::Install-Recommends "false"' \
			${packages:+--include="$packages"} \
			--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
			--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
			--dpkgopt='path-exclude=/usr/share/info/*' "${excludes[@]}" \
			"$suite" "$tmp" "deb $MIRROR $suite main" "deb $SECURITY_MIRROR $suite-security main" >"$logf" 2>&1; then
			tail -n 30 "$logf" >&2
			rm -rf "$logf" "$tmp"
			die "mmdebstrap $suite failed"
		fi
		rm -f "$logf"
		mv "$tmp" "$tar"
		log "made $suite root file system in $((SECONDS - start))s ($(du -h "$tar" | cut -f1))"
	fi
	echo "$tar"
}

# base_image NAME TARBALL: a local base image holding exactly the tarball.
base_image() {
	local name="$1" tar="$2" ref digest_file
	ref="localhost/sluice-base/$name:$(basename "$tar" .tar | sed 's/^rootfs-//')"
	if ! buildah inspect --type image "$ref" >/dev/null 2>&1; then
		log "importing $tar as $ref"
		local ctr
		ctr="$(buildah from --pull=never scratch)"
		buildah add --quiet "$ctr" "$tar" / >/dev/null
		buildah commit --quiet --rm "$ctr" "$ref" >/dev/null
	fi
	echo "$ref"
}

# build NAME REF DOCKERFILE CONTEXT [BASE_REF]: builds REF from DOCKERFILE in
# CONTEXT and writes build/images/NAME.tar, unless its inputs are unchanged.
build() {
	local name="$1" ref="$2" dockerfile="$3" context="$4" base="${5:-}" inputs
	inputs="$({
		echo "$ref $base $VERSION"
		sha256sum "$dockerfile"
		(cd "$context" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
	} | sha256sum | cut -c1-64)"
	if [[ -s "$OUT/$name.tar" && "$(cat "$OUT/$name.inputs" 2>/dev/null)" == "$inputs" ]]; then
		log "$name: up to date ($OUT/$name.tar)"
		return 0
	fi
	local start=$SECONDS
	buildah bud --quiet --pull=never --layers=false -f "$dockerfile" \
		${base:+--build-arg "BASE_IMAGE=$base"} --build-arg "VERSION=$VERSION" \
		-t "$ref" "$context" >/dev/null
	rm -f "$OUT/$name.tar"
	buildah push --quiet "$ref" "oci-archive:$OUT/$name.tar:$ref" >/dev/null
	echo "$inputs" >"$OUT/$name.inputs"
	log "$name: built $ref in $((SECONDS - start))s ($(du -h "$OUT/$name.tar" | cut -f1))"
}

# context NAME: a fresh, empty build context directory.
context() {
	local dir="$OUT/context/$1"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$ROOT/LICENSE" "$dir/LICENSE"
	echo "$dir"
}

need_binary() {
	[[ -x "$BUILD_DIR/$1" ]] || die "$BUILD_DIR/$1 is not built (run 'make build' first)"
}

want="${*:-all}"
has() { [[ "$want" == all || " $want " == *" $1 "* ]]; }

if has operator; then
	need_binary operator/cmd/sluice-operator
	ctx="$(context operator)"
	mkdir "$ctx/bin"
	for b in sluice-operator sluice-ui kubectl-sluice kubectl_complete-sluice; do
		[[ -x "$BUILD_DIR/operator/cmd/$b" ]] && strip --strip-debug -o "$ctx/bin/$b" "$BUILD_DIR/operator/cmd/$b"
	done
	tar="$(rootfs bookworm "$ROOT/images/operator/packages")" || exit 1
	base="$(base_image operator "$tar")" || exit 1
	build operator "ghcr.io/sluice-dev/sluice-operator:$VERSION" "$ROOT/images/operator/Dockerfile" "$ctx" "$base"
fi

if has runner; then
	need_binary operator/runner/sluice-runner
	ctx="$(context runner)"
	strip --strip-debug -o "$ctx/sluice-runner.stripped" "$BUILD_DIR/operator/runner/sluice-runner"
	bash "$ROOT/images/runner/assemble-rootfs.sh" "$ctx/sluice-runner.stripped" "$ctx/rootfs"
	rm -f "$ctx/sluice-runner.stripped"
	build runner "ghcr.io/sluice-dev/sluice-runner:$VERSION" "$ROOT/images/runner/Dockerfile" "$ctx"
fi

# The pause container every pod sandbox of the real test node starts with:
# the kubelet's own one is a registry image, and nothing is pulled here.
if has pause; then
	ctx="$(context pause)"
	gcc -Os -static -Wall -Werror -o "$ctx/pause" "$ROOT/images/pause/pause.c"
	strip "$ctx/pause"
	build pause "sluice.local/pause:3.10" "$ROOT/images/pause/Dockerfile" "$ctx"
fi

# The Abalone example's step image: python3 with XGBoost and scikit-learn
# from Debian, and the example's scripts.
if has abalone; then
	ctx="$(context abalone)"
	cp "$ROOT"/examples/abalone/code/*.py "$ctx/"
	tar="$(rootfs bookworm "$ROOT/images/abalone/packages")" || exit 1
	base="$(base_image abalone "$tar")" || exit 1
	build abalone "sluice.local/abalone:$VERSION" "$ROOT/images/abalone/Dockerfile" "$ctx" "$base"
fi

# Test step images for the runner's portability: Debian 11 (glibc 2.31,
# older than the runner's), and one with no libc at all (static busybox).
if has test-debian11; then
	ctx="$(context test-debian11)"
	tar="$(rootfs bullseye "$ROOT/images/test/debian11.packages")" || exit 1
	base="$(base_image debian11 "$tar")" || exit 1
	build test-debian11 "sluice.local/test-debian11:$VERSION" "$ROOT/images/test/Dockerfile.debian" "$ctx" "$base"
fi
if has test-busybox; then
	ctx="$(context test-busybox)"
	deb_dir="$(mktemp -d)"
	# apt's package lists may be missing on a machine that had every package
	# already (install-deps.sh then never ran apt-get update): fetch them once.
	if ! (cd "$deb_dir" && apt-get download -q busybox-static >/dev/null 2>&1); then
		apt-get update -qq >/dev/null 2>&1 || true
		(cd "$deb_dir" && apt-get download -q busybox-static >/dev/null 2>&1) || die "apt-get download busybox-static failed"
	fi
	dpkg-deb -x "$deb_dir"/busybox-static_*.deb "$deb_dir/x"
	cp "$deb_dir/x/bin/busybox" "$ctx/busybox"
	rm -rf "$deb_dir"
	mkdir -p "$ctx/bin"
	for applet in sh cat echo ls mkdir sleep test true false env printf head tail wc sha256sum grep; do
		ln -s busybox "$ctx/bin/$applet"
	done
	# No program interpreter: the image really has no libc.
	! readelf -l "$ctx/busybox" | grep -q 'Requesting program interpreter' || die "busybox-static's busybox is not static"
	build test-busybox "sluice.local/test-busybox:$VERSION" "$ROOT/images/test/Dockerfile.busybox" "$ctx"
fi
ls "$OUT"/*.tar >/dev/null
