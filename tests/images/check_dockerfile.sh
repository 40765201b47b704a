#!/usr/bin/env bash
# Static and link-level checks of one Dockerfile in images/. The images
# cannot be built on the dev machines (no Docker engine), so this is what
# keeps them honest:
#   - base images pinned (a tag with a version or date, or a digest; never
#     :latest or untagged); scratch and earlier stages allowed
#   - every COPY source exists in the repository (and is tracked by git, as
#     a CI checkout only has tracked files)
#   - every binary built (--target X), copied (COPY --from .../X) or run
#     (ENTRYPOINT) is an executable target of the CMake project, and the
#     build-output path the Dockerfile names is where CMake puts it
#   - the build is `make build`'s: same build type, Ninja, build/release,
#     tests off; build-stage packages are a subset of scripts/install-deps.sh
#   - the final stage runs as a numeric non-root USER and has the OCI labels,
#     with the version of the CMake project
#   - Debian runtime stage: every shared library the locally built binary
#     loads (ldd), glibc aside, comes (dpkg -S) from a package the stage
#     installs, and every library package it installs is used
#   - scratch runtime stage: the binary's DT_RPATH is $ORIGIN/lib and a lib/
#     directory is copied beside it
#
# Usage: check_dockerfile.sh --repo DIR --dockerfile PATH --build-dir DIR
#          --executables 'a;b;c' --project-version V [--binary NAME=FILE]...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=dockerfile_parse.sh
source "$here/dockerfile_parse.sh"

repo="" dockerfile="" build_dir="" executables="" project_version=""
declare -A binary_file
while (($#)); do
	case "$1" in
	--repo) repo="$2" ;;
	--dockerfile) dockerfile="$2" ;;
	--build-dir) build_dir="$2" ;;
	--executables) executables="$2" ;;
	--project-version) project_version="$2" ;;
	--binary) binary_file["${2%%=*}"]="${2#*=}" ;;
	*)
		echo "unknown argument: $1" >&2
		exit 2
		;;
	esac
	shift 2
done
for v in repo dockerfile build_dir executables project_version; do
	[[ -n "${!v}" ]] || {
		echo "missing --${v//_/-}" >&2
		exit 2
	}
done

failures=0
fail() {
	echo "FAIL: ${dockerfile#"$repo"/}: $*" >&2
	failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

declare -A is_executable
IFS=';' read -r -a exe_list <<<"$executables"
for e in "${exe_list[@]}"; do is_executable["$e"]=1; done
((${#exe_list[@]})) || fail "CMake passed no executable targets"

[[ -f "$dockerfile" ]] || {
	echo "FAIL: no such Dockerfile: $dockerfile" >&2
	exit 1
}
parse_dockerfile "$dockerfile"
((DF_NSTAGES >= 2)) || fail "expected a multi-stage build, found $DF_NSTAGES stage(s)"
final=$((DF_NSTAGES - 1))

# --- base images ---------------------------------------------------------
declare -A stage_names
final_base="" debian_codename=""
for i in "${!DF_INSTR[@]}"; do
	[[ "${DF_INSTR[$i]}" == FROM ]] || continue
	mapfile -t ops < <(instruction_operands "$i")
	image="$(expand_global_args "${ops[0]}")"
	((DF_STAGE[i] == final)) && final_base="$image"
	earlier_stage="${stage_names[$image]:-}"
	if [[ "${ops[1]:-}" =~ ^[Aa][Ss]$ ]]; then stage_names["${ops[2]}"]=1; fi
	if [[ "$image" == scratch || -n "$earlier_stage" ]]; then
		pass "FROM $image"
		continue
	fi
	if [[ "$image" == *'$'* ]]; then
		fail "FROM $image: an ARG without a default leaves the base unpinned"
		continue
	fi
	name="${image%%@*}"
	tag=""
	[[ "${name##*/}" == *:* ]] && tag="${name##*:}"
	if [[ "$image" == *@sha256:* ]]; then
		pass "FROM $image (digest)"
	elif [[ -z "$tag" ]]; then
		fail "FROM $image is untagged (means :latest)"
	elif [[ "$tag" == latest || ! "$tag" =~ [0-9] ]]; then
		fail "FROM $image: tag '$tag' floats; use a dated or versioned tag"
	else
		pass "FROM $image (tag $tag)"
	fi
	if [[ "$name" =~ ^(docker\.io/(library/)?)?debian:([a-z]+)- ]]; then
		debian_codename="${BASH_REMATCH[3]}"
	fi
done

# --- COPY sources ----------------------------------------------------------
in_git=0
git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1 && in_git=1
declare -A copied_from_build # destination -> source, COPY --from only
for i in "${!DF_INSTR[@]}"; do
	[[ "${DF_INSTR[$i]}" == COPY || "${DF_INSTR[$i]}" == ADD ]] || continue
	mapfile -t ops < <(instruction_operands "$i")
	dest="${ops[${#ops[@]} - 1]}"
	from="$(instruction_from_flag "$i")"
	for src in "${ops[@]:0:${#ops[@]}-1}"; do
		if [[ -n "$from" ]]; then
			copied_from_build["$dest"]="$src"
			continue
		fi
		if [[ ! -e "$repo/$src" ]]; then
			fail "COPY $src: not in the repository"
		elif ((in_git)) && [[ -z "$(git -C "$repo" ls-files -- "$src" | head -n 1)" ]]; then
			fail "COPY $src: exists but git does not track it (a CI checkout will not have it)"
		else
			pass "COPY $src exists"
		fi
	done
done

# --- binaries are CMake executables -----------------------------------------
declare -A built_targets copied_binaries
for i in "${!DF_INSTR[@]}"; do
	if [[ "${DF_INSTR[$i]}" == RUN ]]; then
		rest="${DF_ARGS[$i]}"
		while [[ "$rest" =~ --target[[:space:]]+([^[:space:]]+)(.*)$ ]]; do
			built_targets["${BASH_REMATCH[1]}"]=1
			rest="${BASH_REMATCH[2]}"
		done
	fi
done
for dest in "${!copied_from_build[@]}"; do
	base="$(basename "${copied_from_build[$dest]}")"
	# Our binaries are named sluice-* (and kubectl-sluice); lib/ and glibc/ trees are not binaries.
	[[ "$base" == sluice-* || "$base" == kubectl-sluice ]] && copied_binaries["$base"]="$dest"
done
entry=""
for i in "${!DF_INSTR[@]}"; do
	if [[ "${DF_INSTR[$i]}" == ENTRYPOINT && "${DF_STAGE[$i]}" == "$final" ]]; then
		[[ "${DF_ARGS[$i]}" =~ ^\[[[:space:]]*\"([^\"]+)\" ]] || fail "ENTRYPOINT must be exec form: ${DF_ARGS[$i]}"
		entry="${BASH_REMATCH[1]:-}"
	fi
done
[[ -n "$entry" ]] || fail "the final stage has no ENTRYPOINT"
((${#built_targets[@]})) || fail "no 'cmake --build ... --target X' in the build stage"
declare -A named_binaries
for t in "${!built_targets[@]}" "${!copied_binaries[@]}" ${entry:+"$(basename "$entry")"}; do
	named_binaries["$t"]=1
done
for t in "${!named_binaries[@]}"; do
	if [[ -n "${is_executable[$t]:-}" ]]; then
		pass "$t is a CMake executable target"
	else
		fail "$t is not an executable target of the CMake project (targets: ${exe_list[*]})"
	fi
done
for b in "${!copied_binaries[@]}"; do
	[[ -n "${built_targets[$b]:-}" ]] || fail "COPY --from copies $b, which the build stage does not build"
done
if [[ -n "$entry" ]]; then
	found=0
	for dest in "${!copied_from_build[@]}"; do [[ "$dest" == "$entry" ]] && found=1; done
	((found)) || fail "ENTRYPOINT $entry is not a path the final stage copies a binary to"
fi

# --- the build is make build's ---------------------------------------------------
make_build_type="$(sed -n 's/.*-DCMAKE_BUILD_TYPE=\([A-Za-z]*\).*/\1/p; T; q' "$repo/Makefile")"
cmake_run=""
for i in "${!DF_INSTR[@]}"; do
	[[ "${DF_INSTR[$i]}" == RUN && "${DF_ARGS[$i]}" == *"cmake -S"* ]] && cmake_run="${DF_ARGS[$i]}"
done
if [[ -z "$cmake_run" ]]; then
	fail "no 'cmake -S' configure step"
else
	for want in "-B build/release" "-G Ninja" "-DCMAKE_BUILD_TYPE=$make_build_type" "-DSLUICE_TESTS=OFF"; do
		[[ "$cmake_run" == *"$want"* ]] && pass "configure has $want" || fail "configure lacks '$want' (make build uses it)"
	done
fi
for t in "${!built_targets[@]}"; do
	file="${binary_file[$t]:-}"
	[[ -n "$file" ]] || continue
	rel="${file#"$build_dir"/}"
	if grep -q "build/release/$rel" "$dockerfile"; then
		pass "$t taken from build/release/$rel, where CMake builds it"
	else
		fail "$t: CMake builds it at <build>/$rel but the Dockerfile never names build/release/$rel"
	fi
done

install_deps="$repo/scripts/install-deps.sh"
# An associative array, not `printf | grep -q`: under pipefail grep's early exit
# can SIGPIPE printf and turn a match into a failure.
declare -A known_pkgs=()
while read -r p; do
	[[ -n "$p" ]] && known_pkgs[$p]=1
done < <(sed -n '/^PACKAGES=(/,/^)/p' "$install_deps" | sed '1s/^PACKAGES=(//; $s/)$//' | tr -s ' \t' '\n\n')
((${#known_pkgs[@]})) || fail "could not read PACKAGES from scripts/install-deps.sh"
for s in $(seq 0 $((final - 1))); do
	while read -r p; do
		if [[ -n "${known_pkgs[$p]:-}" ]]; then
			pass "build package $p is in install-deps.sh"
		else
			fail "build stage installs $p, which scripts/install-deps.sh does not"
		fi
	done < <(apt_packages_of_stage "$s")
done

# --- user and labels --------------------------------------------------------------
user=""
for i in "${!DF_INSTR[@]}"; do
	[[ "${DF_INSTR[$i]}" == USER && "${DF_STAGE[$i]}" == "$final" ]] && user="${DF_ARGS[$i]}"
done
if [[ "$user" =~ ^([0-9]+)(:([0-9]+))?[[:space:]]*$ ]] && ((BASH_REMATCH[1] != 0)) && [[ "${BASH_REMATCH[3]:-1}" != 0 ]]; then
	pass "USER $user"
else
	fail "final stage USER must be a numeric non-root uid[:gid], is '${user:-unset (root)}'"
fi
labels=""
version_default=""
for i in "${!DF_INSTR[@]}"; do
	((DF_STAGE[i] == final)) || continue
	[[ "${DF_INSTR[$i]}" == LABEL ]] && labels+=" ${DF_ARGS[$i]}"
	[[ "${DF_INSTR[$i]}" == ARG && "${DF_ARGS[$i]}" =~ ^VERSION=(.*)$ ]] && version_default="${BASH_REMATCH[1]}"
done
for key in source title description licenses version; do
	[[ "$labels" =~ org\.opencontainers\.image\.$key=\"[^\"]+\" ]] && pass "label $key" || fail "missing OCI label org.opencontainers.image.$key"
done
[[ "$version_default" == "$project_version" ]] && pass "ARG VERSION=$project_version" ||
	fail "ARG VERSION default '$version_default' is not the CMake project version $project_version"

# --- runtime libraries --------------------------------------------------------------
# Owner packages of library paths, with one dpkg -S for all of them (each
# call reads the whole package database). Debian's merged /usr means ldd may
# print /lib/... where dpkg recorded /usr/lib/... (or the other way round), so
# each path is asked for under both spellings and its resolved name.
declare -A path_owner
lookup_owners() {
	local path cand
	local -a cands=()
	for path in "$@"; do
		for cand in "$path" "$(readlink -f "$path")" "${path/#\/usr\/lib\//\/lib/}" "${path/#\/lib\//\/usr\/lib/}"; do
			cands+=("$cand")
		done
	done
	while IFS= read -r line; do
		[[ "$line" =~ ^([^:,]+)(:[^,:]+)?(,[^:]*)?:\ (/.*)$ ]] || continue # "pkg:arch: /path" (diversions skipped)
		path_owner["${BASH_REMATCH[4]}"]="${BASH_REMATCH[1]}"
	done < <(dpkg -S "${cands[@]}" 2>/dev/null || true)
}
owner_package() {
	local path="$1" cand
	for cand in "$path" "$(readlink -f "$path")" "${path/#\/usr\/lib\//\/lib/}" "${path/#\/lib\//\/usr\/lib/}"; do
		if [[ -n "${path_owner[$cand]:-}" ]]; then
			printf '%s' "${path_owner[$cand]}"
			return 0
		fi
	done
	return 1
}

if [[ "$final_base" == scratch ]]; then
	for b in "${!copied_binaries[@]}"; do
		dest="${copied_binaries[$b]}"
		libdir="$(dirname "$dest")"
		libdir="${libdir%/}/lib/"
		[[ -n "${copied_from_build[$libdir]:-}" ]] && pass "lib/ copied beside $dest" ||
			fail "scratch image: nothing is copied to $libdir, where $b's RUNPATH \$ORIGIN/lib looks"
		file="${binary_file[$b]:-}"
		if [[ -n "$file" ]]; then
			# DT_RPATH, not DT_RUNPATH: RUNPATH applies only to the binary's own
			# DT_NEEDED, so lib/libcpprest.so's dependencies (libbrotli*, libz)
			# would be looked up in the user image instead of lib/.
			rpath="$(readelf -d "$file" | sed -n 's/.*(RPATH).*\[\(.*\)\].*/\1/p')"
			runpath="$(readelf -d "$file" | sed -n 's/.*(RUNPATH).*\[\(.*\)\].*/\1/p')"
			if [[ "$rpath" == '$ORIGIN/lib' && -z "$runpath" ]]; then
				pass "$b RPATH \$ORIGIN/lib"
			elif [[ "$runpath" == '$ORIGIN/lib' ]]; then
				fail "$b has RUNPATH \$ORIGIN/lib, which does not cover its libraries' own dependencies (libcpprest -> libbrotli, libz); link it with -Wl,--disable-new-dtags for a DT_RPATH"
			else
				fail "$b RPATH is '$rpath' (RUNPATH '$runpath'); the image layout needs \$ORIGIN/lib"
			fi
		fi
	done
else
	host_codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
	if [[ -n "$debian_codename" && "$host_codename" != "$debian_codename" ]]; then
		fail "the image builds on Debian $debian_codename but this machine is '$host_codename': its package names cannot be compared"
	fi
	declare -A runtime_pkg used_pkg
	while read -r p; do runtime_pkg["$p"]=1; done < <(apt_packages_of_stage "$final")
	checked=0
	for b in "${!copied_binaries[@]}"; do
		file="${binary_file[$b]:-}"
		[[ -n "$file" ]] || continue
		[[ -x "$file" ]] || {
			fail "$file is not built; build target $b first"
			continue
		}
		checked=1
		libs="$(ldd "$file" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')"
		lookup_owners $(awk '{print $2}' <<<"$libs")
		while read -r soname path; do
			[[ -n "$path" ]] || continue
			# The sanitizer runtimes are there only when SLUICE_SANITIZE is on; the image builds without it.
			[[ "$soname" =~ ^lib(asan|ubsan|lsan|tsan)\.so ]] && continue
			if ! pkg="$(owner_package "$path")"; then
				fail "$b loads $path, which no Debian package provides"
				continue
			fi
			used_pkg["$pkg"]=1
			[[ "$pkg" == libc6 ]] && continue # glibc: in every Debian base
			[[ -n "${runtime_pkg[$pkg]:-}" ]] && pass "$b: $soname from $pkg, installed" ||
				fail "$b loads $soname from package $pkg, which the runtime stage does not install"
		done <<<"$libs"
	done
	((checked)) || fail "no locally built binary given for the binaries the final stage copies (${!copied_binaries[*]})"
	for p in "${!runtime_pkg[@]}"; do
		[[ "$p" == lib* || "$p" == zlib* ]] || continue # data packages such as ca-certificates
		[[ -n "${used_pkg[$p]:-}" ]] || fail "runtime stage installs $p, but no copied binary loads a library from it"
	done
fi

if ((failures)); then
	echo "$failures check(s) failed for $dockerfile" >&2
	exit 1
fi
echo "all checks passed for $dockerfile"
