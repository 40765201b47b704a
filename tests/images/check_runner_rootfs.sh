#!/usr/bin/env bash
# Runs images/runner/assemble-rootfs.sh (what the runner image's build stage
# runs) on the locally built sluice-runner and checks the image it lays out:
#   - lib/ holds every library the runner loads except glibc's, and nothing
#     of glibc (a user image must use its own loader and libc)
#   - the image is self-contained: every DT_NEEDED of the runner and of each
#     shipped library, and the runner's ELF interpreter, are in the image
#   - `sluice-runner init DEST` (as the step's init container runs it) copies
#     the runner and lib/ to DEST, and the copy resolves every non-glibc
#     library from DEST/lib (RUNPATH $ORIGIN/lib) and runs
#
# Usage: check_runner_rootfs.sh ASSEMBLE_SCRIPT SLUICE_RUNNER
set -euo pipefail

if (($# != 2)); then
	echo "usage: $0 ASSEMBLE_SCRIPT SLUICE_RUNNER" >&2
	exit 2
fi
assemble="$1"
runner="$2"
[[ -x "$runner" ]] || {
	echo "FAIL: $runner is not built; build target sluice-runner first" >&2
	exit 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-runner-rootfs.XXXXXX")"
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

bash "$assemble" "$runner" "$work/out"
image_runner="$work/out/runner/sluice-runner"
image_lib="$work/out/runner/lib"
image_glibc="$work/out/glibc"

# glibc's sonames as Debian's libc6 package ships them, independent of the
# script's own list.
declare -A glibc_soname
while read -r f; do
	glibc_soname["$(basename "$f")"]=1
done < <(dpkg -L libc6 | grep -E '/(lib[^/]*|ld-linux[^/]*)\.so(\.[0-9]+)+$')
((${#glibc_soname[@]})) || fail "could not list glibc's libraries (dpkg -L libc6)"

for f in "$image_lib"/*; do
	[[ -z "${glibc_soname[$(basename "$f")]:-}" ]] || fail "lib/ ships glibc's $(basename "$f"); the user image's glibc must be used"
done

# Every library ldd resolves for the runner, glibc aside, is in lib/.
while read -r soname; do
	[[ -n "${glibc_soname[$soname]:-}" ]] && continue
	[[ -f "$image_lib/$soname" ]] && pass "lib/$soname shipped" || fail "the runner loads $soname but lib/ lacks it"
done < <(ldd "$runner" | awk '$2 == "=>" && $3 ~ /^\// {print $1}')

# Self-contained: DT_NEEDED closure over the image's own files.
needed_of() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'; }
in_image() { # soname -> found in lib/ (RUNPATH) or in the glibc tree
	[[ -f "$image_lib/$1" ]] || [[ -n "$(find "$image_glibc" -name "$1" -print -quit)" ]]
}
for elf in "$image_runner" "$image_lib"/*; do
	while read -r need; do
		in_image "$need" || fail "$(basename "$elf") needs $need, which the image does not contain"
	done < <(needed_of "$elf")
done
interp="$(readelf -l "$image_runner" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')"
[[ -n "$interp" && -f "$image_glibc$interp" ]] && pass "ELF interpreter $interp in the image" ||
	fail "the runner's interpreter '$interp' is not in the image"

# What the init container does, then what the main container runs.
mkdir "$work/dest"
if "$image_runner" init "$work/dest"; then
	pass "sluice-runner init copied into DEST"
else
	fail "sluice-runner init exited $?"
fi
shipped="$(cd "$image_lib" && ls | sort)"
copied="$(cd "$work/dest/lib" 2>/dev/null && ls | sort)" || copied=""
[[ -n "$shipped" && "$shipped" == "$copied" ]] && pass "init copied lib/ ($(wc -w <<<"$shipped") libraries)" ||
	fail "init copied lib/ [$copied], image has [$shipped]"
[[ -x "$work/dest/sluice-runner" ]] || fail "init did not install DEST/sluice-runner"
while read -r soname path; do
	[[ -n "${glibc_soname[$soname]:-}" ]] && continue
	[[ "$path" == "$work/dest/lib/$soname" ]] && pass "the copy loads $soname from DEST/lib" ||
		fail "the copied runner loads $soname from $path, not DEST/lib"
done < <(env -u LD_LIBRARY_PATH ldd "$work/dest/sluice-runner" | awk '$2 == "=>" {print $1, $3}')
# Without arguments the runner prints its usage and exits 125: it loaded.
rc=0
env -u LD_LIBRARY_PATH "$work/dest/sluice-runner" >/dev/null 2>&1 || rc=$?
((rc == 125)) && pass "the copied runner runs (usage, exit 125)" || fail "the copied runner exited $rc, expected 125 (usage)"

if ((failures)); then
	if [[ "$(readelf -d "$runner")" == *"(RUNPATH)"* ]]; then
		echo "hint: $runner has DT_RUNPATH, which covers only its own DT_NEEDED, not its libraries' dependencies; link it with -Wl,--disable-new-dtags (DT_RPATH)" >&2
	fi
	echo "$failures check(s) failed" >&2
	exit 1
fi
echo "runner image layout checks passed"
