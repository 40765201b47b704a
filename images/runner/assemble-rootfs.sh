#!/usr/bin/env bash
# Usage: assemble-rootfs.sh BINARY OUT
#
# Lays out the runner image's root file system from a built sluice-runner:
#   OUT/sluice-runner        the binary (DT_RPATH $ORIGIN/lib)
#   OUT/lib/SONAME           every shared library it loads, glibc's libc,
#                            libm ... and the dynamic loader included: what
#                            `sluice-runner init` copies into a step's
#                            emptyDir, so the runner needs nothing from the
#                            step's image (which may have an older glibc, a
#                            different libc, or none)
#   OUT/INTERP               the binary's ELF interpreter path (e.g.
#                            /lib64/ld-linux-x86-64.so.2), a link to the
#                            loader in lib/, so the runner also starts the
#                            plain way inside its own (scratch) image
# In a step, the runner is started through the copied loader
# (`/sluice/bin/ld.so /sluice/bin/sluice-runner exec -- ...`): the loader and
# libc then come from lib/ and always match. scripts/build-images.sh runs
# this for the image; tests/images runs it on the locally built binary and
# checks the result, so both use the same code.
set -euo pipefail

if (($# != 2)); then
	echo "usage: $0 BINARY OUT" >&2
	exit 2
fi
binary="$1"
out="$2"

interp="$(readelf -l "$binary" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')"
[[ "$interp" == /* ]] || {
	echo "assemble-rootfs: $binary has no program interpreter (readelf -l)" >&2
	exit 1
}

mkdir -p "$out/lib"
cp -L "$binary" "$out/sluice-runner"
chmod 0755 "$out/sluice-runner"

ldd_output="$(ldd "$binary")"
while read -r line; do
	# Forms: "libx.so.1 => /path/libx.so.1 (0x...)", "/lib64/ld-linux-x86-64.so.2 (0x...)",
	# "linux-vdso.so.1 (0x...)" (in the kernel, no file).
	if [[ "$line" =~ ^([^[:space:]]+)[[:space:]]=\>[[:space:]](/[^[:space:]]+) ]]; then
		soname="${BASH_REMATCH[1]}"
		path="${BASH_REMATCH[2]}"
	elif [[ "$line" =~ ^(/[^[:space:]]+)[[:space:]]\( ]]; then
		path="${BASH_REMATCH[1]}"
		soname="$(basename "$path")"
	elif [[ "$line" =~ ^linux-vdso|^linux-gate ]]; then
		continue
	else
		echo "assemble-rootfs: cannot parse ldd line: $line" >&2
		exit 1
	fi
	# Named by soname: that is the name the loader looks up in $ORIGIN/lib.
	cp -L "$path" "$out/lib/$soname"
done <<<"$ldd_output"

loader="$out/lib/$(basename "$interp")"
[[ -f "$loader" ]] || {
	echo "assemble-rootfs: ldd did not list the interpreter $interp" >&2
	exit 1
}
mkdir -p "$out$(dirname "$interp")"
rel="$(realpath --relative-to="$out$(dirname "$interp")" "$loader")"
ln -sfn "$rel" "$out$interp"
