# Sourced by the e2e scripts, the chart and GitOps checks and the demo.
# wait_crds_established KUBECTL...: until both Sluice CRDs are Established,
# 60 s at most. `kubectl wait --for=condition=Established` fails at once,
# instead of waiting, on a CRD created a moment ago whose status has no
# conditions yet ("accessor error: <nil>"), as when several tests apply the
# CRDs to a fresh cluster at the same time.
wait_crds_established() {
	local deadline=$((SECONDS + 60)) crd ready
	while :; do
		ready=1
		for crd in pipelines.sluice.dev pipelineexecutions.sluice.dev; do
			[[ "$("$@" get crd "$crd" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' 2>/dev/null)" == True ]] ||
				ready=0
		done
		((ready)) && return 0
		if ((SECONDS >= deadline)); then
			echo "the Sluice CRDs were not Established within 60 s" >&2
			return 1
		fi
		sleep 0.2
	done
}
