#!/usr/bin/env bash
# Builds Tekton Pipelines v1.6.0's controller (upstream cmd/controller, and
# cmd/controller-loopback: a copy of its main.go whose listeners bind
# 127.0.0.1, see that file's header) plus the harness, into
# ~/.cache/sluice/peers/bin. Gentle on a shared 2-core machine: nice 15, -p=1.
set -euo pipefail
cd "$(dirname "$0")"
export GOFLAGS="-p=1 -buildvcs=false"
BIN=~/.cache/sluice/peers/bin
mkdir -p "$BIN"
nice -n 15 go build -o "$BIN/tekton-controller-loopback" ./cmd/controller-loopback
nice -n 15 go build -o "$BIN/tekton-harness" ./harness
# Upstream, unchanged (built to show the copy tracks it; not run: it listens
# on all interfaces).
if [[ ${UPSTREAM:-1} == 1 ]]; then
	nice -n 15 go build -o "$BIN/tekton-controller" github.com/tektoncd/pipeline/cmd/controller
fi
