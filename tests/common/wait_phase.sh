# Sourced by the e2e scripts; needs SLUICE_TEST_KUBECTL and SLUICE_TEST_KUBECONFIG.

# wait_terminal_phase NAMESPACE EXECUTION [SECONDS]: prints the execution's
# phase once it is Succeeded, Failed or Stopped, or the last phase seen after
# SECONDS (default 120; the caller compares it with what it wants and reports).
wait_terminal_phase() {
	local ns="$1" execution="$2" p=""
	for _ in $(seq 1 $((${3:-120} * 5))); do
		p="$("$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" -n "$ns" get plx "$execution" \
			-o jsonpath='{.status.phase}' 2>/dev/null || true)"
		[[ "$p" == Succeeded || "$p" == Failed || "$p" == Stopped ]] && break
		sleep 0.2
	done
	echo "$p"
}
