#!/usr/bin/env bash
# check_dockerfile.sh must fail for each kind of mistake it claims to catch:
# each case edits a copy of one input of one image (its Dockerfile, the
# operator's packages list, or scripts/build-images.sh) and expects the
# checker to exit non-zero with the given message. A few cases are edits it
# must accept (a pinned registry base), so a check that rejects everything
# does not pass either. (The unedited files are checked by
# images_*_dockerfile, which must pass.)
#
# Usage: check_dockerfile_rejects.sh CHECK_DOCKERFILE_ARGS...
#   (the arguments of check_dockerfile.sh common to every image: --repo,
#   --build-dir, --executables, --project-version, --binary ...)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
args=("$@")
repo=""
for ((i = 0; i < ${#args[@]}; i++)); do
	[[ "${args[$i]}" == --repo ]] && repo="${args[$((i + 1))]}"
done
[[ -d "$repo/images" ]] || {
	echo "usage: $0 --repo DIR ... (check_dockerfile.sh arguments)" >&2
	exit 2
}

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-dockerfile-rejects.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# image | what is edited (dockerfile, packages, script) | case name |
#   sed expression | expected message: text one FAIL line must contain
#   (several, separated by " && ", must all be in the same line), or PASS:
#   the edit must be accepted
cases=(
	# base images
	'runner|dockerfile|latest base tag|s#^FROM scratch#FROM debian:latest#|tag '\''latest'\'' floats'
	'runner|dockerfile|untagged base|s#^FROM scratch#FROM debian#|FROM debian is untagged'
	'runner|dockerfile|tag without a version|s#^FROM scratch#FROM debian:bookworm-slim#|tag '\''bookworm-slim'\'' floats'
	'runner|dockerfile|versioned tag accepted|s#^FROM scratch#FROM docker.io/library/debian:12.5-slim#|PASS'
	'runner|dockerfile|digest accepted|s#^FROM scratch#FROM debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef#|PASS'
	'runner|dockerfile|BASE_IMAGE the script does not pass|s#^FROM scratch#ARG BASE_IMAGE\nFROM ${BASE_IMAGE}#|builds runner without a base'
	'operator|dockerfile|BASE_IMAGE with a default|s#^ARG BASE_IMAGE$#ARG BASE_IMAGE=debian:12.5#|ARG BASE_IMAGE has a default'
	'operator|dockerfile|the passed base ignored|s#^FROM ${BASE_IMAGE}#FROM debian:12.5#|the final stage is not FROM ${BASE_IMAGE}'
	'operator|dockerfile|an ARG base nobody passes|s#^FROM ${BASE_IMAGE}#FROM ${DEBIAN}#|an ARG without a default that build-images.sh does not pass'
	# user
	'operator|dockerfile|root user|s#^USER .*#USER root#|numeric non-root'
	'operator|dockerfile|uid 0|s#^USER .*#USER 0:0#|numeric non-root'
	'runner|dockerfile|gid 0|s#^USER .*#USER 65532:0#|numeric non-root'
	'operator|dockerfile|no group (runs as gid 0)|s#^USER .*#USER 65532#|numeric non-root uid:gid'
	'operator|dockerfile|no user|/^USER /d|unset (root)'
	# entrypoint
	'operator|dockerfile|unknown entrypoint target|s#^ENTRYPOINT .*#ENTRYPOINT ["/usr/local/bin/sluice-controller"]#|sluice-controller is not an executable target'
	'runner|dockerfile|entrypoint of another target|s#^ENTRYPOINT .*#ENTRYPOINT ["/sluice-operator"]#|never takes sluice-operator from $BUILD_DIR'
	'operator|dockerfile|shell-form entrypoint|s#^ENTRYPOINT .*#ENTRYPOINT /usr/local/bin/sluice-operator#|must be exec form'
	'operator|dockerfile|no entrypoint|/^ENTRYPOINT /d|has no ENTRYPOINT'
	'operator|script|binary taken from the wrong build path|s#need_binary operator/cmd/sluice-operator#need_binary operator/sluice-operator#|takes sluice-operator from $BUILD_DIR/operator/sluice-operator, but CMake builds it at <build>/operator/cmd/sluice-operator'
	# labels and version
	'operator|dockerfile|missing label|/org.opencontainers.image.licenses=/d|missing OCI label org.opencontainers.image.licenses'
	'runner|dockerfile|missing label|/org.opencontainers.image.source=/d|missing OCI label org.opencontainers.image.source'
	'operator|dockerfile|version differs from CMake|s#^ARG VERSION=.*#ARG VERSION=9.9.9#|ARG VERSION default '\''9.9.9'\'' is not the CMake project version'
	'runner|dockerfile|no ARG VERSION|/^ARG VERSION=/d|no ARG VERSION in the final stage'
	'operator|dockerfile|version label not the version|s#image.version="${VERSION}"#image.version="0.0.9"#|label org.opencontainers.image.version is '\''0.0.9'\'''
	# COPY sources
	'operator|dockerfile|COPY of a file the script does not provide|s#^COPY LICENSE #COPY NOTICE #|COPY NOTICE: scripts/build-images.sh does not put it into the operator context'
	'runner|dockerfile|COPY of a directory the script does not provide|s#^COPY rootfs/ /#COPY runner/ /#|COPY runner/: scripts/build-images.sh does not put it into the runner context'
	'runner|dockerfile|COPY of a file the script removes again|s#^COPY rootfs/ /#COPY sluice-runner.stripped /sluice-runner#|COPY sluice-runner.stripped: scripts/build-images.sh does not put it'
	'operator|script|the script stops putting bin/ into the context|s#"$ctx/bin#"$ctx/sbin#g|COPY bin/: scripts/build-images.sh does not put it into the operator context'
	'operator|script|a COPY whose only source the script puts there conditionally|/^\tmkdir "$ctx\/bin"$/d|COPY bin/ /usr/local/bin/ && only under a condition'
	'runner|script|the script does not build the image|s#^if has runner; then#if has runners; then#|has no '\''if has runner; then ... fi'\'' block'
	# the operator's runtime packages
	'operator|script|a base whose packages list the checker cannot find|s#rootfs bookworm "$ROOT/images/operator/packages"#rootfs bookworm "$OPERATOR_PACKAGES"#|passes a base but names no packages list'
	'operator|packages|runtime library package removed|/^libbrotli1$/d|loads libbrotlicommon.so.1 from package libbrotli1, which neither'
	'operator|packages|runtime library package removed (cpprest)|/^libcpprest2.10$/d|from package libcpprest2.10, which neither'
	'operator|packages|unused package added|$a libcurl4|lists libcurl4, but no binary of the image'
	'operator|packages|a -dev package instead of the library|s#^libyaml-cpp0.7$#libyaml-cpp-dev#|from package libyaml-cpp0.7, which neither'
)

failures=0
for c in "${cases[@]}"; do
	IFS='|' read -r image what name expr want <<<"$c"
	label="$image: $name"
	extra=()
	case "$what" in
	dockerfile)
		original="$repo/images/$image/Dockerfile"
		broken="$work/Dockerfile"
		extra=(--dockerfile "$broken")
		;;
	packages)
		original="$repo/images/$image/packages"
		broken="$work/packages"
		extra=(--packages "$broken")
		;;
	script)
		original="$repo/scripts/build-images.sh"
		broken="$work/build-images.sh"
		extra=(--script "$broken")
		;;
	esac
	sed -e "$expr" "$original" >"$broken"
	if cmp -s "$original" "$broken"; then
		echo "FAIL: case '$label': the edit changed nothing in ${original#"$repo"/} (the file moved on; update the case)" >&2
		failures=$((failures + 1))
		continue
	fi
	rc=0
	out="$(bash "$here/check_dockerfile.sh" "${args[@]}" --image "$image" --release-image "${extra[@]}" 2>&1)" || rc=$?
	if [[ "$want" == PASS ]]; then
		if ((rc == 0)); then
			echo "ok: accepts $label"
		else
			echo "FAIL: case '$label': must be accepted, but the checker rejected it:" >&2
			grep '^FAIL' <<<"$out" >&2 || true
			failures=$((failures + 1))
		fi
	elif ((rc == 0)); then
		echo "FAIL: case '$label': the checker accepted it" >&2
		failures=$((failures + 1))
	else
		# The FAIL lines only: an "ok:" line may mention the same words.
		matched="$(grep '^FAIL' <<<"$out" || true)"
		rest="$want"
		while [[ -n "$rest" && -n "$matched" ]]; do
			part="${rest%% && *}"
			[[ "$rest" == *" && "* ]] && rest="${rest#* && }" || rest=""
			matched="$(grep -F -- "$part" <<<"$matched" || true)"
		done
		if [[ -z "$matched" ]]; then
			echo "FAIL: case '$label': rejected, but no FAIL line has '$want':" >&2
			grep '^FAIL' <<<"$out" >&2 || true
			failures=$((failures + 1))
		else
			echo "ok: rejects $label: $(head -n 1 <<<"$matched")"
		fi
	fi
done

if ((failures)); then
	echo "$failures of ${#cases[@]} case(s) failed" >&2
	exit 1
fi
echo "the checker gets all ${#cases[@]} cases right"
