#!/usr/bin/env bash
# Static and link-level checks of one image in images/, as
# scripts/build-images.sh (`make images`) builds it: buildah, from a
# single-stage Dockerfile, on a local base mmdebstrap made (FROM
# ${BASE_IMAGE}) or on scratch, with a context of files the script puts
# there. What the checks hold the Dockerfile (and its packages list) to:
#   - base: the final stage is FROM ${BASE_IMAGE}, an ARG without a default
#     that build-images.sh passes for this image, or FROM scratch (and then
#     the script passes no base); any literal registry base is pinned (a
#     digest, or a tag with a version; never :latest or untagged)
#   - COPY/ADD sources are files the script's block for this image puts into
#     the build context ("$ctx/NAME", or context()'s "$dir/NAME"); a COPY of
#     anything else fails the build, or worse copies a stale file
#   - ENTRYPOINT is exec form; one naming a sluice binary names an
#     executable CMake target (--executables), and the script takes that
#     binary from where CMake builds it (--binary NAME=FILE)
#   - USER is a numeric non-root uid:gid
#   - --release-image (operator, runner): the OCI labels source, title,
#     description, licenses and version, an ENTRYPOINT, and ARG VERSION whose
#     default is the CMake project version (build-images.sh passes it too)
#   - an image whose base is made from a packages list (the operator):
#     every shared library the binaries it copies load (ldd)
#     comes (dpkg -S) from a package that list names, or from one every
#     Debian minbase has (worked out from dpkg's database, not assumed);
#     every lib*/zlib* package listed is loaded by some binary. The
#     binaries are the ones `make images` packages: those in
#     --image-build-dir (the release build) at the paths build-images.sh
#     takes them from, not this build's: a Debug/ASan build can link
#     libraries the release binaries do not (seen: libboost_system, and the
#     sanitizer runtimes), so only the release binaries say what the image
#     needs
# The built images themselves are checked by check_built_image.sh.
#
# Usage: check_dockerfile.sh --repo DIR --image NAME --build-dir DIR
#          --executables 'a;b;c' --project-version V [--binary NAME=FILE]...
#          [--release-image] [--image-build-dir DIR]
#          [--dockerfile FILE] [--packages FILE] [--script FILE]
#   NAME is the image's name in build-images.sh (its `if has NAME` block);
#   --dockerfile, --packages and --script check FILE instead of the
#   Dockerfile and packages list that block names, or of
#   scripts/build-images.sh (check_dockerfile_rejects.sh passes broken copies).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=dockerfile_parse.sh
source "$here/dockerfile_parse.sh"

repo="" image="" dockerfile="" packages="" script="" image_build_dir="" build_dir="" executables="" project_version="" release_image=0
declare -A binary_file=()
while (($#)); do
	case "$1" in
	--release-image)
		release_image=1
		shift
		continue
		;;
	--repo) repo="$2" ;;
	--image) image="$2" ;;
	--dockerfile) dockerfile="$2" ;;
	--packages) packages="$2" ;;
	--script) script="$2" ;;
	--build-dir) build_dir="$2" ;;
	--image-build-dir) image_build_dir="$2" ;;
	--executables) executables="$2" ;;
	--project-version) project_version="$2" ;;
	--binary) binary_file["${2%%=*}"]="${2#*=}" ;;
	*)
		echo "unknown argument: $1" >&2
		exit 2
		;;
	esac
	(($# >= 2)) || {
		echo "$1 needs a value" >&2
		exit 2
	}
	shift 2
done
for v in repo image build_dir executables project_version; do
	[[ -n "${!v}" ]] || {
		echo "missing --${v//_/-}" >&2
		exit 2
	}
done

[[ -n "$script" ]] || script="$repo/scripts/build-images.sh"
label="$image"
failures=0
fail() {
	echo "FAIL: $label: $*" >&2
	failures=$((failures + 1))
}
pass() { echo "ok: $*"; }
die() {
	echo "FAIL: $label: $*" >&2
	exit 1
}

declare -A is_executable=()
IFS=';' read -r -a exe_list <<<"$executables"
for e in "${exe_list[@]}"; do is_executable["$e"]=1; done
((${#exe_list[@]})) || fail "CMake passed no executable targets"

# --- this image's block of build-images.sh -------------------------------------
[[ -f "$script" ]] || die "no $script"
block="$(awk -v want="if has $image; then" '$0 == want {on = 1} on {print} on && $0 == "fi" {exit}' "$script")"
[[ -n "$block" ]] || die "scripts/build-images.sh has no 'if has $image; then ... fi' block: make images does not build this image"
# The build call: build NAME REF "$ROOT/DOCKERFILE" "$ctx" ["$base"]
build_line="$(grep -E "^[[:space:]]*build $image " <<<"$block" | tail -n 1)" ||
	die "the $image block of scripts/build-images.sh never calls 'build $image ...'"
read -r -a build_words <<<"$build_line"
script_dockerfile="${build_words[3]:-}"
script_dockerfile="${script_dockerfile//\"/}"
script_dockerfile="${script_dockerfile/\$ROOT/$repo}"
script_passes_base=0
[[ -n "${build_words[5]:-}" ]] && script_passes_base=1
if [[ -z "$dockerfile" ]]; then
	dockerfile="$script_dockerfile"
	label="${dockerfile#"$repo"/}"
else
	label="$dockerfile (as ${script_dockerfile#"$repo"/})"
fi
[[ -f "$dockerfile" ]] || die "no such Dockerfile: $dockerfile"

# Files the block puts into the context: "$ctx/NAME" (first path component),
# the basenames X of `cp ... SRC/X "$ctx/"`, and what context() itself copies
# ("$dir/NAME"); minus what the block removes again (`rm -f "$ctx/NAME"`).
# in_context[NAME] is "always", or "if" when the block only puts it there
# inside a nested `if` (e.g. a binary that is copied when it was built).
declare -A in_context=()
depth=0
while IFS= read -r line; do
	[[ "$line" =~ ^[[:space:]]*if[[:space:]] ]] && depth=$((depth + 1))
	[[ "$line" =~ ^[[:space:]]*fi([[:space:]]|$) ]] && depth=$((depth - 1))
	how=always
	# Inside a nested if, or after a `[[ ... ]] &&` / `test ... &&` guard.
	((depth > 1)) && how=if
	[[ "$line" =~ ^[[:space:]]*(\[\[|\[|test)[[:space:]].*(\&\&|\|\|) ]] && how=if
	names=()
	while read -r name; do
		[[ -n "$name" ]] && names+=("$name")
	done < <(grep -o '\$ctx/[^"[:space:]/]*' <<<"$line" | sed 's#^\$ctx/##')
	if [[ "$line" =~ ^[[:space:]]*cp\ .*\"\$ctx/\"[[:space:]]*$ ]]; then
		read -r -a words <<<"$line"
		for w in "${words[@]:1:${#words[@]}-2}"; do
			[[ "$w" == -* ]] && continue
			w="${w//\"/}"
			names+=("${w##*/}")
		done
	fi
	for name in "${names[@]}"; do
		[[ "${in_context[$name]:-}" == always ]] || in_context["$name"]="$how"
	done
done <<<"$block"
context_fn="$(sed -n '/^context() {/,/^}/p' "$script")"
[[ -n "$context_fn" ]] || fail "scripts/build-images.sh has no context() function (the checker reads what it copies)"
while read -r name; do
	[[ -n "$name" ]] && in_context["$name"]=always
done < <(grep -o '"\$dir/[^"/]*"' <<<"$context_fn" | sed 's#^"\$dir/##; s#"$##')
while read -r name; do
	unset 'in_context[$name]'
done < <(grep -E '^[[:space:]]*rm -f "\$ctx/' <<<"$block" | grep -o '\$ctx/[^"[:space:]/]*' | sed 's#^\$ctx/##' || true)

parse_dockerfile "$dockerfile"
((DF_NSTAGES >= 1)) || die "no FROM instruction"
final=$((DF_NSTAGES - 1))

# --- base images ---------------------------------------------------------
# pinned REF: a digest, or a tag with a version number in it.
check_pinned() {
	local ref="$1" name tag=""
	name="${ref%%@*}"
	[[ "${name##*/}" == *:* ]] && tag="${name##*:}"
	if [[ "$ref" == *@sha256:* ]]; then
		pass "FROM $ref (digest)"
	elif [[ -z "$tag" ]]; then
		fail "FROM $ref is untagged (means :latest, whatever the registry has today)"
	elif [[ "$tag" == latest || ! "$tag" =~ [0-9] ]]; then
		fail "FROM $ref: tag '$tag' floats; pin a versioned tag or a digest"
	else
		pass "FROM $ref (tag $tag)"
	fi
}
declare -A stage_names=()
final_uses_base=0
for i in "${!DF_INSTR[@]}"; do
	[[ "${DF_INSTR[$i]}" == FROM ]] || continue
	mapfile -t ops < <(instruction_operands "$i")
	ref="${ops[0]}"
	if [[ "$ref" == '${BASE_IMAGE}' || "$ref" == '$BASE_IMAGE' ]]; then
		((DF_STAGE[i] == final)) && final_uses_base=1
		if [[ "${DF_GLOBAL_ARG[BASE_IMAGE]-unset}" == unset ]]; then
			fail "FROM $ref, but no 'ARG BASE_IMAGE' before the first FROM"
		elif [[ "${DF_GLOBAL_ARG[BASE_IMAGE]}" != "$DF_NO_DEFAULT" ]]; then
			# The local base is always passed; a default could only ever
			# stand in for it with some other, registry, image.
			fail "ARG BASE_IMAGE has a default (${DF_GLOBAL_ARG[BASE_IMAGE]}); it must have none: build-images.sh passes the local mmdebstrap base"
		elif ((!script_passes_base)); then
			fail "FROM $ref, but scripts/build-images.sh builds $image without a base ('$build_line'): BASE_IMAGE would be empty"
		else
			pass "FROM $ref (the local base build-images.sh passes)"
		fi
	else
		expanded="$(expand_global_args "$ref")"
		if [[ "$expanded" == scratch ]]; then
			pass "FROM scratch"
		elif [[ -n "${stage_names[$expanded]:-}" ]]; then
			pass "FROM $expanded (an earlier stage)"
		elif [[ "$expanded" == *'$'* ]]; then
			fail "FROM $ref: an ARG without a default that build-images.sh does not pass"
		else
			check_pinned "$expanded"
		fi
	fi
	if [[ "${ops[1]:-}" =~ ^[Aa][Ss]$ ]]; then stage_names["${ops[2]}"]=1; fi
done
if ((script_passes_base && !final_uses_base)); then
	fail "scripts/build-images.sh passes a base for $image, but the final stage is not FROM \${BASE_IMAGE} (the base, and its packages, would be ignored)"
fi

# --- COPY sources ------------------------------------------------------------
declare -a copy_sources=()
for i in "${!DF_INSTR[@]}"; do
	[[ "${DF_INSTR[$i]}" == COPY || "${DF_INSTR[$i]}" == ADD ]] || continue
	[[ -n "$(instruction_from_flag "$i")" ]] && continue # from an earlier stage, not the context
	mapfile -t ops < <(instruction_operands "$i")
	((${#ops[@]} >= 2)) || {
		fail "${DF_INSTR[$i]} ${DF_ARGS[$i]}: needs a source and a destination"
		continue
	}
	# Every source must be in the context; and one at least always, since
	# a COPY whose sources all match nothing fails the build.
	always=0
	for src in "${ops[@]:0:${#ops[@]}-1}"; do
		copy_sources+=("$src")
		top="${src#./}"
		top="${top%%/*}"
		found="" how=""
		for name in "${!in_context[@]}"; do
			# shellcheck disable=SC2053 # $top is a pattern: COPY takes globs
			if [[ "$name" == "$top" || "$name" == $top ]]; then
				found="$name"
				[[ "$how" == always ]] || how="${in_context[$name]}"
			fi
		done
		if [[ -z "$found" ]]; then
			fail "COPY $src: scripts/build-images.sh does not put it into the $image context (it has: $(printf '%s ' "${!in_context[@]}"))"
			always=1 # reported already
		elif [[ "$how" == always ]]; then
			pass "COPY $src: build-images.sh puts $found into the $image context"
			always=1
		else
			pass "COPY $src: build-images.sh puts $found into the $image context when a condition holds"
		fi
	done
	((always)) || fail "${DF_INSTR[$i]} ${DF_ARGS[$i]}: scripts/build-images.sh puts its sources into the $image context only under a condition (an if, a [[ ]] &&); when it does not, the COPY matches nothing and the build fails (give the instruction a source that is always there)"
done

# Where the block takes NAME from the build directory: "$BUILD_DIR/REL" or
# `need_binary REL`, REL ending in /NAME.
script_paths_of() {
	{
		grep -o '\$BUILD_DIR/[^"[:space:]]*' <<<"$block" | sed 's#^\$BUILD_DIR/##'
		grep -E '^[[:space:]]*need_binary ' <<<"$block" | awk '{print $2}'
	} | awk -v n="$1" '$0 == n || $0 ~ ("/" n "$")' | sort -u
}

# --- ENTRYPOINT ----------------------------------------------------------------
entry="" entry_instr=""
for i in "${!DF_INSTR[@]}"; do
	[[ "${DF_INSTR[$i]}" == ENTRYPOINT && "${DF_STAGE[$i]}" == "$final" ]] && entry_instr="${DF_ARGS[$i]}"
done
if [[ -n "$entry_instr" ]]; then
	# Exec form: the binary is PID 1 and gets SIGTERM; a shell form would
	# run it under /bin/sh -c (which scratch does not even have).
	if [[ "$entry_instr" =~ ^\[[[:space:]]*\"([^\"]+)\" ]]; then
		entry="${BASH_REMATCH[1]}"
		pass "ENTRYPOINT $entry_instr (exec form)"
	else
		fail "ENTRYPOINT must be exec form ([\"/path\", ...]), is: $entry_instr"
	fi
elif ((release_image)); then
	fail "the final stage has no ENTRYPOINT"
fi
entry_name="$(basename "${entry:-/}")"
# Every ENTRYPOINT of a release image, and any that runs a sluice binary.
if [[ -n "$entry" ]] && { ((release_image)) || [[ "$entry_name" == sluice-* || "$entry_name" == kubectl-sluice* ]]; }; then
	if [[ -n "${is_executable[$entry_name]:-}" ]]; then
		pass "ENTRYPOINT $entry: $entry_name is a CMake executable target"
		file="${binary_file[$entry_name]:-}"
		if [[ -z "$file" ]]; then
			fail "no --binary $entry_name=FILE given: cannot check build-images.sh takes it from where CMake builds it"
		else
			rel="${file#"$build_dir"/}"
			mapfile -t taken < <(script_paths_of "$entry_name")
			if ((${#taken[@]} == 0)); then
				fail "scripts/build-images.sh never takes $entry_name from \$BUILD_DIR (CMake builds it at <build>/$rel)"
			fi
			for p in "${taken[@]}"; do
				[[ "$p" == "$rel" ]] && pass "build-images.sh takes $entry_name from <build>/$rel, where CMake builds it" ||
					fail "scripts/build-images.sh takes $entry_name from \$BUILD_DIR/$p, but CMake builds it at <build>/$rel"
			done
		fi
	else
		fail "ENTRYPOINT $entry: $entry_name is not an executable target of the CMake project (targets: ${exe_list[*]})"
	fi
fi

# --- user ----------------------------------------------------------------------------
user=""
for i in "${!DF_INSTR[@]}"; do
	[[ "${DF_INSTR[$i]}" == USER && "${DF_STAGE[$i]}" == "$final" ]] && user="${DF_ARGS[$i]}"
done
# Numeric, for runAsNonRoot (which cannot resolve names: scratch and the
# minbase have no such users), and with a group: without one the process
# runs with gid 0.
if [[ "$user" =~ ^([0-9]+):([0-9]+)$ ]] && ((10#${BASH_REMATCH[1]} != 0 && 10#${BASH_REMATCH[2]} != 0)); then
	pass "USER $user"
else
	fail "final stage USER must be a numeric non-root uid:gid, is '${user:-unset (root)}'"
fi

# --- labels and version -----------------------------------------------------------------
declare -A labels=()
version_default="" has_version_arg=0
for i in "${!DF_INSTR[@]}"; do
	((DF_STAGE[i] == final)) || continue
	if [[ "${DF_INSTR[$i]}" == LABEL ]]; then
		while IFS=$'\t' read -r k v; do labels["$k"]="$v"; done < <(label_pairs "${DF_ARGS[$i]}")
	fi
	if [[ "${DF_INSTR[$i]}" =~ ^ARG$ && "${DF_ARGS[$i]}" =~ ^VERSION(=(.*))?$ ]]; then
		has_version_arg=1
		version_default="${BASH_REMATCH[2]}"
	fi
done
if ((release_image)); then
	for key in source title description licenses version; do
		[[ -n "${labels[org.opencontainers.image.$key]:-}" ]] && pass "label $key" ||
			fail "missing OCI label org.opencontainers.image.$key"
	done
	((has_version_arg)) || fail "no ARG VERSION in the final stage (build-images.sh passes --build-arg VERSION)"
fi
if ((has_version_arg)); then
	[[ "$version_default" == "$project_version" ]] && pass "ARG VERSION=$project_version" ||
		fail "ARG VERSION default '$version_default' is not the CMake project version $project_version"
fi
version_label="${labels[org.opencontainers.image.version]-}"
if [[ -n "$version_label" && "$version_label" != '${VERSION}' && "$version_label" != '$VERSION' && "$version_label" != "$project_version" ]]; then
	fail "label org.opencontainers.image.version is '$version_label', neither \${VERSION} nor the CMake project version $project_version"
fi

# --- runtime libraries of a base made from a packages list ------------------------------
rootfs_line="$(grep -E 'rootfs [a-z]+ "\$ROOT/[^"]+"' <<<"$block" | tail -n 1 || true)"
# A base the checker cannot read a packages list for would go unchecked.
if ((script_passes_base)) && [[ -z "$rootfs_line" ]]; then
	fail "the $image block passes a base but names no packages list (rootfs SUITE \"\$ROOT/...\"): its libraries cannot be checked"
fi
if [[ -n "$rootfs_line" ]]; then
	[[ "$rootfs_line" =~ rootfs\ ([a-z]+)\ \"\$ROOT/([^\"]+)\" ]]
	suite="${BASH_REMATCH[1]}"
	script_packages="$repo/${BASH_REMATCH[2]}"
	[[ -n "$packages" ]] || packages="$script_packages"
	plabel="${packages#"$repo"/}"
	[[ -f "$packages" ]] || die "no packages list $packages"
	# The binaries this image packages: the --binary targets the block
	# names (as a word: "$ctx/bin/NAME", a `for b in NAME ...` list).
	declare -a image_binaries=()
	declare -A block_words=()
	while read -r w; do block_words["$w"]=1; done < <(grep -oE '[A-Za-z0-9_.+-]+' <<<"$block" | sort -u)
	for b in "${!binary_file[@]}"; do
		[[ -n "${block_words[$b]:-}" ]] && image_binaries+=("$b")
	done
fi
if [[ -n "$rootfs_line" ]] && ((${#image_binaries[@]} == 0)); then
	pass "scripts/build-images.sh puts no CMake-built binary into $image: no libraries to check"
elif [[ -n "$rootfs_line" ]]; then
	host_codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
	[[ "$host_codename" == "$suite" ]] ||
		die "the $image base is Debian $suite but this machine is '$host_codename': its binaries and package names say nothing about that base"

	declare -A listed=() used=()
	while read -r p; do
		[[ -n "$p" ]] && listed["$p"]=1
	done < <(grep -v -e '^[[:space:]]*#' -e '^path-exclude=' "$packages" | tr -s ' \t' '\n\n') # as build-images.sh reads it
	((${#listed[@]})) || fail "$plabel lists no packages"

	# What every Debian minbase has (mmdebstrap --variant=minbase: the
	# Essential:yes packages, Priority:required ones and apt, with their
	# Depends and Pre-Depends), from this machine's dpkg database: the
	# installed packages' fields are the suite's. First alternatives only,
	# virtual packages not followed: that can only make the set smaller.
	declare -A deps_of=() minbase=()
	queue=()
	while IFS='|' read -r status pkg essential priority predeps deps; do
		[[ "$status" == ii* ]] || continue
		deps_of["$pkg"]="$predeps, $deps"
		[[ "$essential" == yes || "$priority" == required || "$pkg" == apt ]] && queue+=("$pkg")
	done < <(dpkg-query -W -f '${db:Status-Abbrev}|${Package}|${Essential}|${Priority}|${Pre-Depends}|${Depends}\n')
	while ((${#queue[@]})); do
		p="${queue[0]}"
		queue=("${queue[@]:1}")
		[[ -n "${minbase[$p]:-}" ]] && continue
		minbase["$p"]=1
		IFS=',' read -r -a ds <<<"${deps_of[$p]:-}"
		for d in "${ds[@]}"; do
			d="${d%%|*}"
			d="${d%%(*}"
			d="${d//[[:space:]]/}"
			d="${d%%:*}"
			[[ -n "$d" && -n "${deps_of[$d]:-}" && -z "${minbase[$d]:-}" ]] && queue+=("$d")
		done
	done
	((${#minbase[@]} > 20)) || fail "worked out only ${#minbase[@]} minbase packages from dpkg's database; that cannot be right"
	for p in libc6 libstdc++6 libgcc-s1; do
		[[ -n "${minbase[$p]:-}" ]] && pass "minbase has $p (dpkg: essential, required or a dependency of apt)" ||
			echo "note: $p is not in the minbase set worked out from dpkg's database"
	done

	# Owner packages of library paths, with one dpkg -S for all of them
	# (each call reads the whole database). Merged /usr: ldd may print
	# /lib/... where dpkg recorded /usr/lib/... or the other way round, so
	# each path is asked for under both spellings and its resolved name.
	declare -A path_owner=()
	spellings() { printf '%s\n' "$1" "$(readlink -f "$1")" "${1/#\/usr\/lib\//\/lib/}" "${1/#\/lib\//\/usr\/lib/}" "${1/#\/lib64\//\/usr\/lib64/}"; }
	owner_package() {
		local cand
		while read -r cand; do
			[[ -n "${path_owner[$cand]:-}" ]] && printf '%s' "${path_owner[$cand]}" && return 0
		done < <(spellings "$1")
		return 1
	}
	[[ -n "$image_build_dir" ]] || die "$image copies binaries (${image_binaries[*]}) but no --image-build-dir says which build make images packages"
	for b in "${image_binaries[@]}"; do
		# Where CMake builds it, in the build make images packages.
		rel="${binary_file[$b]#"$build_dir"/}"
		file="$image_build_dir/$rel"
		[[ -x "$file" ]] || {
			fail "$file is not built: the $image image packages it from that build (make build), so its libraries cannot be checked"
			continue
		}
		pass "$b: checking the libraries of $file, which make images packages"
		# "soname => /path (addr)", "/lib64/ld-linux-x86-64.so.2 (addr)",
		# "soname => not found"; linux-vdso is the kernel's.
		ldd_out="$(ldd "$file")"
		libs="$(awk '$2 == "=>" && $3 ~ /^\// {print $1, $3} $1 ~ /^\// {print $1, $1}' <<<"$ldd_out")"
		while read -r missing; do
			[[ -n "$missing" ]] && fail "$b: ldd finds no $missing on this machine"
		done < <(awk '$2 == "=>" && $3 == "not" {print $1}' <<<"$ldd_out")
		mapfile -t cands < <(awk '{print $2}' <<<"$libs" | while read -r p; do spellings "$p"; done)
		while IFS= read -r line; do
			# "pkg:arch: /path" (diversions, "diversion by ...", skipped)
			[[ "$line" =~ ^([^:,[:space:]]+)(:[^,:[:space:]]+)?:\ (/.*)$ ]] || continue
			path_owner["${BASH_REMATCH[3]}"]="${BASH_REMATCH[1]}"
		done < <(dpkg -S "${cands[@]}" 2>/dev/null || true)
		while read -r soname path; do
			[[ -n "$path" ]] || continue
			if ! pkg="$(owner_package "$path")"; then
				fail "$b loads $path, which no Debian package provides (dpkg -S)"
				continue
			fi
			used["$pkg"]=1
			if [[ -n "${listed[$pkg]:-}" ]]; then
				pass "$b: $soname from $pkg, listed in $plabel"
			elif [[ -n "${minbase[$pkg]:-}" ]]; then
				pass "$b: $soname from $pkg, which every minbase has"
			else
				fail "$b loads $soname from package $pkg, which neither $plabel lists nor Debian's minbase has"
			fi
		done <<<"$libs"
	done
	for p in "${!listed[@]}"; do
		# lib*/zlib*: the library packages; data packages such as
		# ca-certificates are not loaded by anything.
		[[ "$p" == lib* || "$p" == zlib* ]] || continue
		[[ -n "${used[$p]:-}" ]] && pass "$plabel: $p is used" ||
			fail "$plabel lists $p, but no binary of the image ($(printf '%s ' "${image_binaries[@]}")) loads a library from it"
	done
fi

if ((failures)); then
	echo "$failures check(s) failed for $label" >&2
	exit 1
fi
echo "all checks passed for $label"
