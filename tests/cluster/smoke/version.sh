#!/usr/bin/env bash
# The apiserver reports the pinned release: proof it was built from the
# Kubernetes modules at that version with the version stamped in.
source "$(dirname "$0")/common.sh"
got="$(kc get --raw /version | python3 -c 'import json,sys; print(json.load(sys.stdin)["gitVersion"])')"
[[ "$got" == "$SLUICE_TEST_KUBE_VERSION" ]] || fail "/version gitVersion is '$got', want '$SLUICE_TEST_KUBE_VERSION'"
pass "/version reports $got"
client="$("$SLUICE_TEST_KUBECTL" version --client -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')"
[[ "$client" == "$SLUICE_TEST_KUBE_VERSION" ]] || fail "kubectl reports '$client', want '$SLUICE_TEST_KUBE_VERSION'"
pass "kubectl reports $client"
