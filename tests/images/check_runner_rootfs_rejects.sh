#!/usr/bin/env bash
# check_runner_rootfs.sh must fail for the layout mistakes it claims to catch:
# each case edits a copy of images/runner/assemble-rootfs.sh and expects the
# check to exit non-zero with the given message. (The unedited script is
# checked by images_runner_rootfs, which must pass.)
#
# Usage: check_runner_rootfs_rejects.sh ASSEMBLE_SCRIPT SLUICE_RUNNER
set -euo pipefail

if (($# != 2)); then
	echo "usage: $0 ASSEMBLE_SCRIPT SLUICE_RUNNER" >&2
	exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
original="$1"
runner="$2"

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-rootfs-rejects.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# name | sed expression applied to assemble-rootfs.sh | expected message (grep -F)
cases=(
	'a library left out|/^	# Named by soname/i\	[[ "$soname" == libz.so.1 ]] \&\& continue|needs libz.so.1, which the image does not contain'
	'glibc left out|/^	# Named by soname/i\	[[ "$soname" == libc.so.6 ]] \&\& continue|the runner loads libc.so.6 but lib/ lacks it'
	'libraries named by file, not soname|s#"$out/lib/$soname"#"$out/lib/$(basename "$(readlink -f "$path")")"#|the runner loads libstdc++.so.6 but lib/ lacks it'
	'no interpreter link|s#^ln -sfn .*#true#|is not a link to the loader in lib/'
)

failures=0
for c in "${cases[@]}"; do
	IFS='|' read -r name expr want <<<"$c"
	broken="$work/assemble-rootfs.sh"
	sed -e "$expr" "$original" >"$broken"
	if cmp -s "$original" "$broken"; then
		echo "FAIL: case '$name': the edit changed nothing (the script moved on; update the case)" >&2
		failures=$((failures + 1))
		continue
	fi
	rc=0
	out="$(bash "$here/check_runner_rootfs.sh" "$broken" "$runner" 2>&1)" || rc=$?
	if ((rc == 0)); then
		echo "FAIL: case '$name': the check accepted it" >&2
		failures=$((failures + 1))
	elif ! grep -qF -- "$want" <<<"$out"; then
		echo "FAIL: case '$name': rejected, but without '$want':" >&2
		grep '^FAIL' <<<"$out" >&2 || true
		failures=$((failures + 1))
	else
		echo "ok: rejects $name"
	fi
done

if ((failures)); then
	echo "$failures case(s) failed" >&2
	exit 1
fi
echo "the rootfs check rejects all ${#cases[@]} broken layouts"
