#!/usr/bin/env bash
# check_built_image.sh must fail for the mistakes it claims to catch in a
# built image: each case makes a broken copy of the operator's or the
# runner's OCI archive (its config or index edited with jq, or a layer
# added on top that deletes a file with an OCI whiteout) and expects the
# check to exit non-zero with the given message. (The archives as built are
# checked by images_built, which must pass.)
#
# Usage: check_built_image_rejects.sh --project-version V OPERATOR_TAR RUNNER_TAR
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if (($# != 4)) || [[ "$1" != --project-version ]]; then
	echo "usage: $0 --project-version V OPERATOR_TAR RUNNER_TAR" >&2
	exit 2
fi
version="$2"
declare -A original=([operator]="$3" [runner]="$4")
for image in operator runner; do
	[[ -s "${original[$image]}" ]] || {
		echo "FAIL: ${original[$image]} is missing: run 'make images' (scripts/build-images.sh build/release) first" >&2
		exit 1
	}
done

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-built-rejects.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# put_blob LAYOUT FILE: stores FILE as a blob of the OCI layout, prints its digest.
put_blob() {
	local digest
	digest="sha256:$(sha256sum "$2" | cut -d' ' -f1)"
	mv "$2" "$1/blobs/sha256/${digest#sha256:}"
	printf '%s' "$digest"
}

# add_layer LAYOUT MANIFEST DIR [MEMBER...]: appends DIR (or just those
# members of it) as an uncompressed layer to the manifest; prints the jq
# filter that adds its diff_id to the config.
add_layer() {
	local layout="$1" manifest="$2" dir="$3" digest size tmp="$work/layer-manifest.json"
	shift 3
	(($#)) || set -- .
	tar -cf "$work/layer.tar" -C "$dir" "$@"
	digest="$(put_blob "$layout" "$work/layer.tar")"
	size="$(stat -c %s "$layout/blobs/sha256/${digest#sha256:}")"
	jq -c --arg d "$digest" --argjson s "$size" \
		'.layers += [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": $d, "size": $s}]' \
		"$manifest" >"$tmp" && mv "$tmp" "$manifest"
	printf ' | .rootfs.diff_ids += ["%s"]' "$digest"
}

# mutate ARCHIVE OUT KIND ARG: OUT is ARCHIVE with
#   config JQ    the image config filtered by JQ
#   index JQ     index.json filtered by JQ
#   whiteout P   a layer on top deleting path P (.wh. marker)
#   escape T     a layer with an absolute symlink escape -> T, and one on
#                top writing escape/planted: through it, onto the host
# with the manifest, config and index digests made consistent again.
mutate() {
	local archive="$1" out="$2" kind="$3" arg="$4" layout="$work/layout" manifest config tmp layer filter=.
	rm -rf "$layout"
	mkdir -p "$layout"
	tar -xf "$archive" -C "$layout"
	manifest="$(jq -r '.manifests[0].digest' "$layout/index.json")"
	manifest="$layout/blobs/sha256/${manifest#sha256:}"
	config="$(jq -r '.config.digest' "$manifest")"
	config="$layout/blobs/sha256/${config#sha256:}"
	tmp="$work/tmp.json"
	layer="$work/layer"
	case "$kind" in
	index)
		jq -c "$arg" "$layout/index.json" >"$tmp" && mv "$tmp" "$layout/index.json"
		tar -cf "$out" -C "$layout" oci-layout index.json blobs
		return
		;;
	config) filter="$arg" ;;
	whiteout)
		rm -rf "$layer" && mkdir -p "$layer/$(dirname "$arg")"
		: >"$layer/$(dirname "$arg")/.wh.$(basename "$arg")"
		filter+="$(add_layer "$layout" "$manifest" "$layer")"
		;;
	escape)
		rm -rf "$layer" && mkdir -p "$layer"
		ln -s "$arg" "$layer/escape"
		filter+="$(add_layer "$layout" "$manifest" "$layer")"
		rm -rf "$layer" && mkdir -p "$layer/escape"
		echo planted >"$layer/escape/planted"
		# The file alone, no escape/ directory entry: tar replaces a
		# symlink with a directory entry, but writes a file through it.
		filter+="$(add_layer "$layout" "$manifest" "$layer" escape/planted)"
		;;
	esac
	jq -c "$filter" "$config" >"$tmp"
	local new_config new_manifest
	new_config="$(put_blob "$layout" "$tmp")"
	jq -c --arg d "$new_config" --argjson s "$(stat -c %s "$layout/blobs/sha256/${new_config#sha256:}")" \
		'.config.digest = $d | .config.size = $s' "$manifest" >"$tmp"
	new_manifest="$(put_blob "$layout" "$tmp")"
	jq -c --arg d "$new_manifest" --argjson s "$(stat -c %s "$layout/blobs/sha256/${new_manifest#sha256:}")" \
		'.manifests[0].digest = $d | .manifests[0].size = $s' "$layout/index.json" >"$tmp" && mv "$tmp" "$layout/index.json"
	tar -cf "$out" -C "$layout" oci-layout index.json blobs
	rm -rf "$layout"
}

# Where the escape case's symlink points: a directory that exists, so a
# check that followed the link would really write there.
mkdir -p "$work/host"

# image | kind | argument | case name | expected message (grep -F)
cases=(
	'runner|config|.config.User = "0:0"|root user|User must be a numeric non-root uid:gid'
	'operator|config|del(.config.User)|no user|unset (root)'
	'runner|config|.config.User = "65532"|no group|User must be a numeric non-root uid:gid'
	'operator|config|del(.config.Labels["org.opencontainers.image.licenses"])|missing label|no label org.opencontainers.image.licenses'
	'runner|config|.config.Labels["org.opencontainers.image.version"] = "9.9.9"|version label differs|label version is '\''9.9.9'\'''
	'runner|index|.manifests[0].annotations["org.opencontainers.image.ref.name"] = "ghcr.io/sluice-dev/sluice-runner:latest"|wrong ref name|ref name is '\''ghcr.io/sluice-dev/sluice-runner:latest'\'''
	'operator|whiteout|usr/lib/x86_64-linux-gnu/libyaml-cpp.so.0.7|a runtime library missing|does not load in the image'
	'operator|whiteout|usr/local/bin/sluice-operator|entrypoint binary missing|ENTRYPOINT /usr/local/bin/sluice-operator is not an executable file'
	'operator|config|.config.Entrypoint = ["/bin/false"]|an entrypoint that is not the operator|'\''/bin/false --help'\'' as 65532:65532 in the image exited 1'
	'operator|whiteout|etc/ssl/certs/ca-certificates.crt|no CA bundle|ca-certificates.crt is missing'
	'runner|whiteout|lib/libc.so.6|libc missing|/lib/libc.so.6 is not in the image'
	'runner|whiteout|lib64/ld-linux-x86-64.so.2|no interpreter link|does not lead to /lib/ld-linux-x86-64.so.2'
	'runner|whiteout|lib/libstdc++.so.6|a library of the runner missing|/sluice-runner init /dest'\'' as 65532:65532 in the image exited'
	'runner|whiteout|sluice-runner|runner missing|/sluice-runner is not an executable file in the image'
	"runner|escape|$work/host|a layer writing through an absolute symlink|leads outside the root file system through a symlink"
)

failures=0
run_case() { # NAME WANT ARCHIVE
	local name="$1" want="$2" rc=0 out
	out="$(bash "$here/check_built_image.sh" --project-version "$version" "$3" 2>&1)" || rc=$?
	out="$(grep '^FAIL' <<<"$out" || true)" # an "ok:" line may mention the same words
	if ((rc == 0)); then
		echo "FAIL: case '$name': the check accepted it" >&2
		failures=$((failures + 1))
	elif ! grep -qF -- "$want" <<<"$out"; then
		echo "FAIL: case '$name': rejected, but no FAIL line has '$want':" >&2
		printf '%s\n' "$out" >&2
		failures=$((failures + 1))
	else
		echo "ok: rejects $name: $(grep -F -- "$want" <<<"$out" | head -n 1)"
	fi
}
for c in "${cases[@]}"; do
	IFS='|' read -r image kind arg name want <<<"$c"
	# The archive keeps its image's name: the name selects the checks.
	mkdir -p "$work/case"
	mutate "${original[$image]}" "$work/case/$image.tar" "$kind" "$arg"
	run_case "$image: $name" "$want" "$work/case/$image.tar"
	rm -rf "$work/case"
	if [[ "$kind" == escape && -e "$arg/planted" ]]; then
		echo "FAIL: case '$image: $name': the layer wrote $arg/planted outside the image" >&2
		failures=$((failures + 1))
	fi
done
run_case "no archive" "the archive is missing" "$work/absent/operator.tar"

if ((failures)); then
	echo "$failures of $((${#cases[@]} + 1)) case(s) failed" >&2
	exit 1
fi
echo "the built-image check rejects all $((${#cases[@]} + 1)) broken images"
