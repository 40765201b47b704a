#!/usr/bin/env bash
# Runs images/runner/assemble-rootfs.sh (what `make images` runs for the
# runner image) on the locally built sluice-runner and checks the layout:
#   - lib/ holds every library the runner loads, glibc and its dynamic
#     loader included, named by soname
#   - self-contained: every DT_NEEDED of the runner and of each shipped
#     library is in lib/, and the runner's ELF interpreter path links to the
#     loader in lib/ (so `init` runs inside the scratch image)
#   - `sluice-runner init DEST` copies the runner, lib/ and the loader as
#     DEST/ld.so; `DEST/ld.so DEST/sluice-runner` resolves every library
#     from DEST/lib and runs
#   - as root: it runs in a chroot holding nothing but DEST, i.e. in an
#     image with no libc at all
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
image_runner="$work/out/sluice-runner"
image_lib="$work/out/lib"

# Every library ldd resolves for the runner is in lib/, under its soname.
while read -r soname; do
	[[ -f "$image_lib/$soname" ]] && pass "lib/$soname shipped" || fail "the runner loads $soname but lib/ lacks it"
done < <(ldd "$runner" | awk '$2 == "=>" && $3 ~ /^\// {print $1}')

# Self-contained: the DT_NEEDED closure over lib/ alone.
needed_of() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'; }
for elf in "$image_runner" "$image_lib"/*; do
	while read -r need; do
		[[ -f "$image_lib/$need" ]] || fail "$(basename "$elf") needs $need, which the image does not contain"
	done < <(needed_of "$elf")
done
interp="$(readelf -l "$image_runner" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')"
if [[ -n "$interp" && -L "$work/out$interp" && "$(readlink -f "$work/out$interp")" == "$image_lib/$(basename "$interp")" ]]; then
	pass "ELF interpreter $interp links to lib/$(basename "$interp")"
else
	fail "the runner's interpreter '$interp' is not a link to the loader in lib/"
fi

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
cmp -s "$work/dest/ld.so" "$image_lib/$(basename "$interp")" && pass "init installed the loader as DEST/ld.so" ||
	fail "DEST/ld.so is not the loader from lib/"
# The loader's own view of what it loads (ld.so --list), started as the Job starts it.
listed="$(env -u LD_LIBRARY_PATH "$work/dest/ld.so" --list "$work/dest/sluice-runner" 2>&1)" || fail "ld.so --list failed: $listed"
while read -r soname path; do
	# The loader lists itself under the interpreter path, mapped to
	# DEST/ld.so (the file it runs as); every other library comes from DEST/lib.
	if [[ "$soname" == "$interp" ]]; then
		[[ "$path" == "$work/dest/ld.so" ]] && pass "the copy's loader is DEST/ld.so" ||
			fail "the copied runner's loader $interp is $path, not DEST/ld.so"
		continue
	fi
	[[ "$path" == "$work/dest/lib/$soname" ]] && pass "the copy loads $soname from DEST/lib" ||
		fail "the copied runner loads $soname from $path, not DEST/lib"
done < <(awk '$2 == "=>" {print $1, $3}' <<<"$listed")
# Without arguments the runner prints its usage and exits 125: it loaded.
rc=0
env -u LD_LIBRARY_PATH "$work/dest/ld.so" "$work/dest/sluice-runner" >/dev/null 2>&1 || rc=$?
((rc == 125)) && pass "the copied runner runs (usage, exit 125)" || fail "the copied runner exited $rc, expected 125 (usage)"

# An image with nothing in it but the emptyDir: no libc, no loader, no /lib.
if (($(id -u) == 0)) && ! [[ "$(ldd "$runner")" == *libasan* ]]; then
	mkdir -p "$work/jail/sluice"
	cp -a "$work/dest" "$work/jail/sluice/bin"
	rc=0
	# chroot by its full path: env -i clears PATH, and chroot is in /usr/sbin.
	env -i "$(command -v chroot)" "$work/jail" /sluice/bin/ld.so /sluice/bin/sluice-runner >/dev/null 2>&1 || rc=$?
	((rc == 125)) && pass "the copy runs in an empty root (no libc): usage, exit 125" ||
		fail "in an empty root the copy exited $rc, expected 125 (usage)"
else
	echo "note: the empty-root run needs root and a build without ASan (the sanitizer runtime reads /proc); skipped"
fi

if ((failures)); then
	echo "$failures check(s) failed" >&2
	exit 1
fi
echo "runner image layout checks passed"
