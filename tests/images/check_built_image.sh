#!/usr/bin/env bash
# Checks the images `make images` (scripts/build-images.sh) really built, as
# the OCI archives in build/images/ that the test cluster imports:
#   - every image: the archive is there; its ref name is the reference the
#     pod specs and the cluster scripts use; the config's User is a numeric
#     non-root uid:gid; its OCI labels (all five on the operator and runner)
#     with the CMake project version
#   - operator: in its extracted root file system, as the image's user, the
#     ENTRYPOINT binary runs (`--help`: exit 0 and the usage text) and the
#     image's dynamic loader resolves every library of every sluice binary
#     in /usr/local/bin (`ld.so --list`: no "not found"); the system CAs
#     are there
#   - runner: /sluice-runner, the loader in /lib under the name of the
#     runner's ELF interpreter, /lib/libc.so.6 and the interpreter path
#     itself are in it; `/sluice-runner init /dest` (what each step's init
#     container runs) works in it, and the copy it makes runs through
#     /dest/ld.so (usage, exit 125)
# The root file systems are run with chroot, so this needs root; /proc is
# bind-mounted in a private mount namespace (the runner reads
# /proc/self/exe), which vanishes with the process: nothing to unmount.
#
# Usage: check_built_image.sh --project-version V ARCHIVE...
#   ARCHIVE is build/images/NAME.tar; NAME says which checks apply.
set -euo pipefail

project_version=""
if [[ "${1:-}" == --project-version ]]; then
	project_version="${2:-}"
	shift 2
fi
if [[ -z "$project_version" ]] || (($# == 0)); then
	echo "usage: $0 --project-version V ARCHIVE..." >&2
	exit 2
fi

failures=0
current=""
fail() {
	echo "FAIL: $current: $*" >&2
	failures=$((failures + 1))
}
pass() { echo "ok: $current: $*"; }

for tool in skopeo jq tar readelf unshare chroot; do
	command -v "$tool" >/dev/null || {
		echo "FAIL: $tool is not installed (run 'make deps')" >&2
		exit 1
	}
done

# The reference each image is imported under: what the pods name.
declare -A expected_ref=(
	[operator]="ghcr.io/sluice-dev/sluice-operator:$project_version" # the chart's image
	[runner]="ghcr.io/sluice-dev/sluice-runner:$project_version"     # --runner-image in the chart and tests/e2e
	[pause]="sluice.local/pause:3.10"                                 # sandbox_image of tests/cluster/real_node.sh
	[abalone]="sluice.local/abalone:$project_version"                 # examples/abalone/pipeline-local.yaml
	[test-debian11]="sluice.local/test-debian11:$project_version"     # tests/e2e/real_node_e2e.sh
	[test-busybox]="sluice.local/test-busybox:$project_version"       # tests/e2e/real_node_e2e.sh
)

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-built-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# extract_rootfs ARCHIVE DIR: the image's layers, in order, applied to DIR
# (OCI whiteouts honoured: .wh.NAME deletes NAME from the layers below,
# .wh..wh..opq empties its directory). As root, and tar follows a symlink
# an earlier layer left: a layer whose paths lead outside DIR that way (an
# absolute symlink) is refused rather than written to the host.
extract_rootfs() {
	local archive="$1" root="$2" blobs="$work/blobs" digest blob entry dir base n=0
	local -a entries parents
	rm -rf "$blobs"
	skopeo copy -q "oci-archive:$archive" "dir:$blobs" || return 1
	mkdir -p "$root"
	root="$(realpath "$root")"
	while read -r digest; do
		blob="$blobs/${digest#sha256:}"
		[[ -f "$blob" ]] || return 1
		mapfile -t entries < <(tar -tf "$blob")
		if ((n++ > 0)); then
			parents=()
			for entry in "${entries[@]}"; do parents+=("$root/$(dirname "${entry#./}")"); done
			while read -r dir; do
				[[ "$dir" == "$root" || "$dir" == "$root"/* ]] && continue
				echo "FAIL: $current: a layer leads outside the root file system through a symlink (to $dir); not extracted" >&2
				return 1
			done < <(realpath -m -- "${parents[@]}")
		fi
		for entry in "${entries[@]}"; do
			entry="${entry#./}"
			[[ "$entry" == *.wh.* ]] || continue
			[[ "/$entry/" == */../* ]] && return 1 # a layer must not reach outside the root
			dir="$(dirname "$entry")"
			base="$(basename "$entry")"
			if [[ "$base" == .wh..wh..opq ]]; then
				[[ -d "$root/$dir" ]] && find "$root/$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
			elif [[ "$base" == .wh.* ]]; then
				rm -rf "${root:?}/$dir/${base#.wh.}"
			fi
		done
		tar -xf "$blob" -C "$root" --numeric-owner --same-owner --same-permissions --exclude='.wh.*' || return 1
	done < <(jq -r '.layers[].digest' "$blobs/manifest.json")
	rm -rf "$blobs"
}

# in_root ROOT USERSPEC CMD...: runs CMD chrooted into ROOT as USERSPEC,
# with the host's /proc bound at ROOT/proc in a private mount namespace.
in_root() {
	local root="$1" user="$2"
	shift 2
	mkdir -p "$root/proc"
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin unshare --mount --propagation private -- \
		sh -c 'root="$1"; user="$2"; shift 2; mount --bind /proc "$root/proc" && exec chroot --userspec="$user" "$root" "$@"' \
		sh "$root" "$user" "$@"
}

# elf_interp FILE: the ELF interpreter path FILE asks for, or nothing.
elf_interp() { readelf -l "$1" 2>/dev/null | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p'; }

# inside ROOT PATH: PATH resolved inside ROOT (symlinks taken as ROOT's).
inside() {
	local root="$1" path="$2" target n=0
	while [[ -L "$root$path" ]] && ((n++ < 16)); do
		target="$(readlink "$root$path")"
		if [[ "$target" == /* ]]; then path="$target"; else path="$(dirname "$path")/$target"; fi
	done
	printf '%s' "$root$(realpath -m -s "$path")"
}

check_operator() {
	local root="$1" user="$2" entry="$3" out rc bin interp listed
	[[ -x "$(inside "$root" "$entry")" ]] && pass "ENTRYPOINT $entry is an executable in the image" ||
		fail "ENTRYPOINT $entry is not an executable file in the image"
	rc=0
	out="$(in_root "$root" "$user" "$entry" --help 2>&1)" || rc=$?
	if ((rc == 0)) && [[ "$out" == "sluice-operator: "* && "$out" == *"Flags:"* && "$out" == *"--kubeconfig"* ]]; then
		pass "'$entry --help' as $user in the image: exit 0, usage printed"
	else
		fail "'$entry --help' as $user in the image exited $rc; output: $(head -c 600 <<<"$out")"
	fi
	local found=0
	for bin in "$root"/usr/local/bin/sluice-* "$root"/usr/local/bin/kubectl-sluice*; do
		[[ -f "$bin" ]] || continue
		found=1
		bin="/usr/local/bin/$(basename "$bin")"
		interp="$(elf_interp "$root$bin")"
		if [[ -z "$interp" ]]; then
			fail "$bin has no ELF interpreter (readelf -l)"
			continue
		fi
		[[ -x "$(inside "$root" "$interp")" ]] || {
			fail "$bin asks for the loader $interp, which the image does not have"
			continue
		}
		# The image's own loader, with the image's library paths: ldd in the image.
		rc=0
		listed="$(in_root "$root" "$user" "$interp" --list "$bin" 2>&1)" || rc=$?
		if ((rc != 0)) || grep -q 'not found' <<<"$listed"; then
			local why
			why="$(grep 'not found' <<<"$listed" || head -c 400 <<<"$listed")"
			fail "$bin does not load in the image ($interp --list exited $rc): $(tr -s '\t\n' '  ' <<<"$why")"
		else
			pass "$bin: the image's $interp resolves all $(grep -c '=>' <<<"$listed") libraries"
		fi
	done
	((found)) || fail "no sluice binary in /usr/local/bin of the image"
	[[ -s "$root/etc/ssl/certs/ca-certificates.crt" ]] && pass "the system CAs are in the image" ||
		fail "/etc/ssl/certs/ca-certificates.crt is missing (images/operator/packages lists ca-certificates for API servers outside the cluster)"
}

check_runner() {
	local root="$1" user="$2" entry="$3" interp loader rc
	[[ "$entry" == /sluice-runner ]] && pass "ENTRYPOINT /sluice-runner" || fail "ENTRYPOINT is $entry, not /sluice-runner"
	[[ -f "$root/sluice-runner" && -x "$root/sluice-runner" ]] || {
		fail "/sluice-runner is not an executable file in the image"
		return
	}
	pass "/sluice-runner is in the image"
	interp="$(elf_interp "$root/sluice-runner")"
	loader="/lib/$(basename "${interp:-none}")"
	if [[ -n "$interp" && -f "$root$loader" && ! -L "$root$loader" ]]; then
		pass "the loader $loader is in the image"
	else
		fail "the runner's loader ${loader} (its ELF interpreter '$interp') is not a file in the image"
	fi
	[[ -n "$interp" && "$(inside "$root" "$interp")" == "$root$loader" ]] && pass "the interpreter path $interp leads to $loader" ||
		fail "the runner's interpreter path '$interp' does not lead to $loader in the image: the plain /sluice-runner cannot start"
	[[ -f "$root/lib/libc.so.6" ]] && pass "/lib/libc.so.6 is in the image" || fail "/lib/libc.so.6 is not in the image"

	# What the step's init container does: an emptyDir at /dest, writable
	# by the image's user; then what the main container starts.
	mkdir -p "$root/dest"
	chown "$user" "$root/dest"
	rc=0
	out="$(in_root "$root" "$user" /sluice-runner init /dest 2>&1)" || rc=$?
	((rc == 0)) && pass "'/sluice-runner init /dest' as $user in the image: exit 0" ||
		fail "'/sluice-runner init /dest' as $user in the image exited $rc: $(head -c 600 <<<"$out")"
	local f
	for f in sluice-runner ld.so lib/libc.so.6 "lib/$(basename "${interp:-none}")"; do
		[[ -f "$root/dest/$f" ]] && pass "init installed /dest/$f" || fail "init did not install /dest/$f"
	done
	rc=0
	in_root "$root" "$user" /dest/ld.so /dest/sluice-runner >/dev/null 2>&1 || rc=$?
	((rc == 125)) && pass "/dest/ld.so /dest/sluice-runner runs in the image (usage, exit 125)" ||
		fail "/dest/ld.so /dest/sluice-runner exited $rc in the image, expected 125 (usage)"
}

for archive in "$@"; do
	name="$(basename "$archive" .tar)"
	current="$name image ($archive)"
	if [[ ! -s "$archive" ]]; then
		fail "the archive is missing: run 'make images' (scripts/build-images.sh build/release) first"
		continue
	fi
	if [[ -z "${expected_ref[$name]:-}" ]]; then
		fail "check_built_image.sh knows no image '$name' (add it to expected_ref)"
		continue
	fi

	ref="$(tar -xOf "$archive" index.json 2>/dev/null | jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"] // empty')" || ref=""
	[[ "$ref" == "${expected_ref[$name]}" ]] && pass "ref name $ref" ||
		fail "the archive's ref name is '$ref', not ${expected_ref[$name]} (what the pods name)"

	if ! config="$(skopeo inspect --config "oci-archive:$archive" 2>&1)"; then
		fail "skopeo inspect --config failed: $config"
		continue
	fi
	[[ "$(jq -r '.os + "/" + .architecture' <<<"$config")" == linux/amd64 ]] && pass "linux/amd64" ||
		fail "built for $(jq -r '.os + "/" + .architecture' <<<"$config"), not linux/amd64"

	user="$(jq -r '.config.User // ""' <<<"$config")"
	if [[ "$user" =~ ^([0-9]+):([0-9]+)$ ]] && ((10#${BASH_REMATCH[1]} != 0 && 10#${BASH_REMATCH[2]} != 0)); then
		pass "User $user"
	else
		fail "the config's User must be a numeric non-root uid:gid, is '${user:-unset (root)}'"
		user=""
	fi

	keys=(title version)
	[[ "$name" == operator || "$name" == runner ]] && keys=(source title description licenses version)
	for key in "${keys[@]}"; do
		value="$(jq -r --arg k "org.opencontainers.image.$key" '.config.Labels[$k] // ""' <<<"$config")"
		[[ -n "$value" ]] && pass "label $key=$value" || fail "no label org.opencontainers.image.$key"
	done
	version="$(jq -r '.config.Labels["org.opencontainers.image.version"] // ""' <<<"$config")"
	[[ "$version" == "$project_version" ]] || fail "label version is '$version', not the CMake project version $project_version"

	[[ "$name" == operator || "$name" == runner ]] || continue
	if (($(id -u) != 0)); then
		fail "running the $name image's root file system needs root (chroot); run the test as root"
		continue
	fi
	[[ -n "$user" ]] || continue
	root="$work/rootfs-$name"
	if ! extract_rootfs "$archive" "$root"; then
		fail "could not extract the image's layers (skopeo copy, tar)"
		continue
	fi
	entry="$(jq -r '.config.Entrypoint[0] // ""' <<<"$config")"
	"check_$name" "$root" "$user" "$entry"
	rm -rf "$root"
done

if ((failures)); then
	echo "$failures check(s) failed" >&2
	exit 1
fi
echo "all built-image checks passed ($#)"
