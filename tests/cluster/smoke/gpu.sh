#!/usr/bin/env bash
# e2e: a pod asking for nvidia.com/gpu with the toleration lands on the GPU
# node; a pod without the toleration never does.
source "$(dirname "$0")/common.sh"
make_ns gpu
kc -n "$NS" wait --for=create serviceaccount/default --timeout=60s >/dev/null
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: wants-gpu}
spec:
  restartPolicy: Never
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  containers:
  - name: main
    image: registry.example/train:1
    resources: {limits: {nvidia.com/gpu: 1}}
---
apiVersion: v1
kind: Pod
metadata: {name: plain-1}
spec:
  restartPolicy: Never
  containers: [{name: main, image: registry.example/plain:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: plain-2}
spec:
  restartPolicy: Never
  containers: [{name: main, image: registry.example/plain:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: gpu-no-toleration}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: registry.example/train:1
    resources: {limits: {nvidia.com/gpu: 1}}
YAML
kc -n "$NS" wait --for=condition=PodScheduled pod/wants-gpu pod/plain-1 pod/plain-2 --timeout=60s >/dev/null ||
	fail "pods were not scheduled: $(kc -n "$NS" get pods -o wide)"
node="$(kc -n "$NS" get pod wants-gpu -o jsonpath='{.spec.nodeName}')"
[[ "$node" == kwok-gpu-1 ]] || fail "GPU pod on '$node', want kwok-gpu-1"
pass "GPU pod bound to $node"
for p in plain-1 plain-2; do
	n="$(kc -n "$NS" get pod "$p" -o jsonpath='{.spec.nodeName}')"
	[[ "$n" == kwok-cpu-* ]] || fail "$p bound to '$n', want a CPU node"
done
pass "pods without the toleration bound to CPU nodes"
# A GPU request without the toleration fits nowhere: it must stay unscheduled.
reason="$(kc -n "$NS" get pod gpu-no-toleration -o jsonpath='{.spec.nodeName}/{.status.conditions[?(@.type=="PodScheduled")].reason}')"
[[ "$reason" == /Unschedulable ]] || fail "untolerated GPU pod: '$reason', want unscheduled"
pass "GPU request without toleration stays Unschedulable"
