#!/usr/bin/env bash
# Usage: assemble-rootfs.sh BINARY OUT
#
# Lays out the runner image's files from a built sluice-runner:
#   OUT/runner/sluice-runner   the binary (RUNPATH $ORIGIN/lib)
#   OUT/runner/lib/SONAME      every shared library it loads except glibc's,
#                              i.e. what `sluice-runner init` copies into a
#                              step's emptyDir for the user image to use
#   OUT/glibc/...              glibc's libraries and loader at the paths ldd
#                              resolved them to, so the runner can run `init`
#                              inside its own (scratch) image. They stay out
#                              of lib/: a user image must use its own glibc,
#                              since the loader and libc have to match.
# The Dockerfile runs this in its build stage; tests/images runs it on the
# locally built binary and checks the result, so both use the same code.
set -euo pipefail

if (($# != 2)); then
	echo "usage: $0 BINARY OUT" >&2
	exit 2
fi
binary="$1"
out="$2"

# glibc's own libraries (Debian package libc6). Everything else, libstdc++
# and libgcc_s included, is shipped: the user image may not have them.
is_glibc() {
	[[ "$1" =~ ^(libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libmvec)\.so\.[0-9]+$ ||
		"$1" =~ ^ld-linux.*\.so\.[0-9]+$ ]]
}

mkdir -p "$out/runner/lib" "$out/glibc"
cp -L "$binary" "$out/runner/sluice-runner"
chmod 0755 "$out/runner/sluice-runner"

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
	if is_glibc "$soname"; then
		mkdir -p "$out/glibc$(dirname "$path")"
		cp -L "$path" "$out/glibc$path"
	else
		# Named by soname: that is the name the loader looks up in $ORIGIN/lib.
		cp -L "$path" "$out/runner/lib/$soname"
	fi
done <<<"$ldd_output"
