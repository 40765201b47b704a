#!/usr/bin/env bash
# Builds sluice-gitops-check (tools/: gopher-lua and cli-utils' kstatus,
# pinned in go.mod/go.sum) into a cache outside the repository, keyed by the
# module's files and the Go version, so only the first run compiles.
# Concurrent callers wait for the first. Prints the binary's path on stdout.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v go >/dev/null || { echo "gitops build: go is not installed (run 'make deps')" >&2; exit 1; }

key="$( (cd "$HERE/tools" && find . -name '*.go' -o -name go.mod -o -name go.sum | LC_ALL=C sort | xargs sha256sum
	go env GOVERSION) | sha256sum | cut -c1-16)"
DIR="${XDG_CACHE_HOME:-$HOME/.cache}/sluice/gitops-$key"
BIN="$DIR/sluice-gitops-check"
mkdir -p "$DIR"
if [[ ! -x "$BIN" ]]; then
	exec 9>"$DIR/build.lock"
	flock 9
	if [[ ! -x "$BIN" ]]; then
		echo "gitops build: compiling sluice-gitops-check into $DIR (first run only)" >&2
		(cd "$HERE/tools" && CGO_ENABLED=0 GOFLAGS="-buildvcs=false -trimpath -mod=readonly" \
			go build -o "$BIN.tmp.$$" ./cmd/sluice-gitops-check) >&2
		mv "$BIN.tmp.$$" "$BIN"
	fi
fi
echo "$BIN"
