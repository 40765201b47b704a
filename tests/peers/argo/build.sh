#!/usr/bin/env bash
# Builds Argo Workflows v3.7.3 workflow-controller (upstream main, and a copy
# of its main.go whose pprof/healthz listener is 127.0.0.1:6060 instead of
# ":6060") plus the harness, into ~/.cache/sluice/peers/bin.
set -euo pipefail
cd "$(dirname "$0")"
export GOFLAGS="-p=2 -buildvcs=false"
BIN=~/.cache/sluice/peers/bin
mkdir -p "$BIN"
nice -n 10 go build -o "$BIN/workflow-controller" github.com/argoproj/argo-workflows/v3/cmd/workflow-controller
nice -n 10 go build -o "$BIN/workflow-controller-loopback" ./cmd/workflow-controller-loopback
nice -n 10 go build -o "$BIN/argo-harness" ./harness
