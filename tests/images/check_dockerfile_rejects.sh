#!/usr/bin/env bash
# The checker must fail for each kind of mistake it claims to catch: each
# case edits a copy of images/operator/Dockerfile (or of images/runner's) and
# expects check_dockerfile.sh to exit non-zero with the given message. (The
# unedited files are checked by images_*_dockerfile, which must pass.)
#
# Usage: check_dockerfile_rejects.sh CHECK_DOCKERFILE_ARGS...
#   (the arguments of check_dockerfile.sh, with --dockerfile of the operator)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
args=("$@")
original="" repo=""
for ((i = 0; i < ${#args[@]}; i++)); do
	[[ "${args[$i]}" == --dockerfile ]] && original="${args[$((i + 1))]}"
	[[ "${args[$i]}" == --repo ]] && repo="${args[$((i + 1))]}"
done
[[ -f "$original" ]] || {
	echo "usage: $0 --dockerfile images/operator/Dockerfile ... (check_dockerfile.sh arguments)" >&2
	exit 2
}

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-dockerfile-rejects.XXXXXX")"
trap 'rm -rf "$work"' EXIT

images="$(dirname "$(dirname "$original")")"

# image | name | sed expression applied to its Dockerfile | expected message (grep -F)
cases=(
	"operator|latest tag|s#^ARG DEBIAN_IMAGE=.*#ARG DEBIAN_IMAGE=debian:latest#|tag 'latest' floats"
	"operator|floating tag|s#^ARG DEBIAN_IMAGE=.*#ARG DEBIAN_IMAGE=debian:bookworm-slim#|tag 'bookworm-slim' floats"
	"operator|untagged base|s#^ARG DEBIAN_IMAGE=.*#ARG DEBIAN_IMAGE=debian#|is untagged"
	"operator|root user|s#^USER .*#USER root#|numeric non-root"
	"operator|uid 0|s#^USER .*#USER 0:0#|numeric non-root"
	"operator|no user|/^USER /d|unset (root)"
	"operator|unknown target|s#--target sluice-operator#--target sluice-controller#|sluice-controller is not an executable target"
	"operator|copied binary not built|s#COPY --from=build /sluice-operator #COPY --from=build /sluice-runner #|copies sluice-runner, which the build stage does not build"
	"operator|wrong build output path|s#build/release/operator/cmd/sluice-operator#build/release/operator/sluice-operator#|never names build/release/operator/cmd/sluice-operator"
	"operator|missing COPY source|s#^COPY operator/ operator/#COPY operators/ operator/#|COPY operators/: not in the repository"
	"operator|untracked COPY source|s#^COPY operator/ operator/#COPY .git/ .git/#|git does not track it"
	"operator|build type differs from make build|s#-DCMAKE_BUILD_TYPE=RelWithDebInfo#-DCMAKE_BUILD_TYPE=Debug#|configure lacks '-DCMAKE_BUILD_TYPE=RelWithDebInfo'"
	"operator|build package not in install-deps|s#libssl-dev#libssl-dev libcurl4-openssl-dev#|libcurl4-openssl-dev, which scripts/install-deps.sh does not"
	"operator|runtime library package missing|s#libstdc++6 libgcc-s1 libbrotli1 zlib1g#libstdc++6 libgcc-s1 zlib1g#|from package libbrotli1, which the runtime stage does not install"
	"operator|runtime package unused|s#libstdc++6 libgcc-s1#libstdc++6 libcurl4 libgcc-s1#|installs libcurl4, but no copied binary loads"
	"operator|label missing|/org.opencontainers.image.licenses=/d|org.opencontainers.image.licenses"
	"operator|version differs from CMake|s#^ARG VERSION=.*#ARG VERSION=9.9.9#|not the CMake project version"
	"operator|shell-form entrypoint|s#^ENTRYPOINT .*#ENTRYPOINT /usr/local/bin/sluice-operator#|must be exec form"
	"runner|lib/ not beside the binary|s#/lib/ /lib/#/lib/ /usr/lib/#|nothing is copied to /lib/, where sluice-runner's RUNPATH"
	"runner|unpinned runtime base|s#^FROM scratch#FROM debian#|is untagged"
)

failures=0
for c in "${cases[@]}"; do
	IFS='|' read -r image name expr want <<<"$c"
	if [[ "$name" == "untracked COPY source" && ! -e "$repo/.git" ]]; then
		echo "ok: $name: not a git checkout, the checker does not look at git here"
		continue
	fi
	source_file="$images/$image/Dockerfile"
	broken="$work/Dockerfile"
	sed -e "$expr" "$source_file" >"$broken"
	if cmp -s "$source_file" "$broken"; then
		echo "FAIL: case '$image: $name': the edit changed nothing (the Dockerfile moved on; update the case)" >&2
		failures=$((failures + 1))
		continue
	fi
	case_args=()
	for ((i = 0; i < ${#args[@]}; i++)); do
		if [[ "${args[$i]}" == --dockerfile ]]; then
			case_args+=(--dockerfile "$broken")
			i=$((i + 1))
		else
			case_args+=("${args[$i]}")
		fi
	done
	rc=0
	out="$(bash "$here/check_dockerfile.sh" "${case_args[@]}" 2>&1)" || rc=$?
	if ((rc == 0)); then
		echo "FAIL: case '$image: $name': the checker accepted it" >&2
		failures=$((failures + 1))
	elif ! grep -qF -- "$want" <<<"$out"; then
		echo "FAIL: case '$image: $name': rejected, but without '$want':" >&2
		grep '^FAIL' <<<"$out" >&2 || true
		failures=$((failures + 1))
	else
		echo "ok: rejects $image: $name"
	fi
done

if ((failures)); then
	echo "$failures case(s) failed" >&2
	exit 1
fi
echo "the checker rejects all ${#cases[@]} broken Dockerfiles"
