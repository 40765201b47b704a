#!/usr/bin/env bash
# Create, read and delete a namespace and a ConfigMap through the real apiserver.
source "$(dirname "$0")/common.sh"
make_ns crud
[[ "$(kc get namespace "$NS" -o jsonpath='{.status.phase}')" == Active ]] || fail "namespace $NS not Active"
kc -n "$NS" create configmap probe --from-literal=greeting=hello >/dev/null
got="$(kc -n "$NS" get configmap probe -o jsonpath='{.data.greeting}')"
[[ "$got" == hello ]] || fail "configmap data is '$got', want 'hello'"
pass "configmap round trip"
kc -n "$NS" delete configmap probe >/dev/null
if kc -n "$NS" get configmap probe >/dev/null 2>&1; then fail "configmap still exists after delete"; fi
pass "configmap deleted"
kc delete namespace "$NS" --wait=false >/dev/null
phase="$(kc get namespace "$NS" -o jsonpath='{.status.phase}' 2>/dev/null || echo Gone)"
[[ "$phase" == Terminating || "$phase" == Gone ]] || fail "namespace phase after delete is '$phase'"
pass "namespace deleted ($phase)"
