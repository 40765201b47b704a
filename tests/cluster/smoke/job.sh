#!/usr/bin/env bash
# e2e: a Job runs to Complete through the real Job controller, scheduler and
# a kwok node (kwok completes Job-owned pods).
source "$(dirname "$0")/common.sh"
make_ns job
kc -n "$NS" wait --for=create serviceaccount/default --timeout=60s >/dev/null
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: batch/v1
kind: Job
metadata: {name: hello}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: registry.example/hello:1, command: [/bin/true]}]
YAML
kc -n "$NS" wait --for=condition=Complete job/hello --timeout=90s >/dev/null || {
	kc -n "$NS" get job,pods -o wide >&2
	fail "job did not complete"
}
node="$(kc -n "$NS" get pods -l job-name=hello -o jsonpath='{.items[0].spec.nodeName}')"
[[ "$node" == kwok-cpu-* ]] || fail "job pod ran on '$node', want a CPU node"
pass "job completed on $node"
