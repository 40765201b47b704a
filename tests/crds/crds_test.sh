#!/usr/bin/env bash
# Integration checks of crds/ and examples/ against the real kube-apiserver of
# tests/cluster (up.sh). One check per invocation, so ctest reports each:
#
#   crds_test.sh install       the CRDs apply and become Established
#   crds_test.sh descriptions  every schema field has a description
#   crds_test.sh examples      every manifest in examples/ is accepted (dry run)
#   crds_test.sh invalid       every file in invalid/ is rejected with the
#                              message substring listed in cases.tsv
#   crds_test.sh explain       kubectl explain shows the descriptions
#   crds_test.sh columns       kubectl get shows the printer columns
#   crds_test.sh status        the status subresource and its schema
#   crds_test.sh immutable     pipelineRef/parameters/selectiveExecution are
#                              fixed at creation, stop is not
#
# Needs SLUICE_TEST_KUBECONFIG and SLUICE_TEST_KUBECTL; fails (never skips)
# without them. Each run works in a fresh namespace that it deletes at exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CHECK="${1:?usage: crds_test.sh install|descriptions|examples|invalid|explain|columns|status|immutable}"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
: "${SLUICE_TEST_KUBECONFIG:?is not set: start the cluster with tests/cluster/up.sh and source its env file}"
: "${SLUICE_TEST_KUBECTL:?is not set: start the cluster with tests/cluster/up.sh and source its env file}"
[[ -r "$SLUICE_TEST_KUBECONFIG" ]] || fail "SLUICE_TEST_KUBECONFIG=$SLUICE_TEST_KUBECONFIG is not readable"
[[ -x "$SLUICE_TEST_KUBECTL" ]] || fail "SLUICE_TEST_KUBECTL=$SLUICE_TEST_KUBECTL is not executable"

k() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }

# Server-side apply: idempotent, so concurrent checks may all install the CRDs.
install_crds() {
	k apply --server-side --force-conflicts --field-manager=sluice-crds-test -f "$ROOT/crds/" >/dev/null
	k wait --for=condition=Established --timeout=60s \
		crd/pipelines.sluice.dev crd/pipelineexecutions.sluice.dev >/dev/null
}

NS=""
new_namespace() {
	NS="sluice-crds-$CHECK-$(date +%s)-$$"
	k create namespace "$NS" >/dev/null
	trap 'k delete namespace "$NS" --wait=false >/dev/null 2>&1 || true' EXIT
}

# expect_contains WHAT TEXT SUBSTRING
expect_contains() {
	[[ "$2" == *"$3"* ]] || fail "$1: expected to contain [$3], got:
$2"
}

check_install() {
	install_crds
	local names
	names="$(k api-resources --api-group=sluice.dev --no-headers)"
	expect_contains "api-resources" "$names" "pl "
	expect_contains "api-resources" "$names" "plx "
	[[ "$(k api-resources --categories=sluice --no-headers | wc -l)" -eq 2 ]] ||
		fail "category sluice should list exactly the two kinds"
	echo "ok: CRDs established"
}

check_descriptions() {
	install_crds
	local crd missing
	for crd in pipelines.sluice.dev pipelineexecutions.sluice.dev; do
		# python3 stdlib only: walk the stored schema, list fields without description.
		missing="$(k get crd "$crd" -o json | python3 -c '
import json, sys
def walk(s, path, out):
    for name, sub in (s.get("properties") or {}).items():
        p = path + "." + name
        if p.endswith(".metadata") and p.count(".") == 1:
            continue
        if not sub.get("description"):
            out.append(p)
        walk(sub, p, out)
    if "items" in s:
        walk(s["items"], path + "[]", out)
crd = json.load(sys.stdin)
out = []
for v in crd["spec"]["versions"]:
    walk(v["schema"]["openAPIV3Schema"], v["name"], out)
print("\n".join(out))
')"
		[[ -z "$missing" ]] || fail "$crd: fields without description:
$missing"
	done
	echo "ok: every field of both CRDs has a description"
}

check_examples() {
	install_crds
	new_namespace
	local f n=0
	# Pipelines first so the listing order does not matter to a reader.
	while IFS= read -r f; do
		# create, not apply: the executions use generateName, which apply refuses.
		out="$(k create --dry-run=server -n "$NS" -f "$f" 2>&1)" ||
			fail "example $f rejected:
$out"
		n=$((n + 1))
	done < <(find "$ROOT/examples" -name '*.yaml' | sort)
	((n >= 7)) || fail "expected at least 7 examples, found $n"
	echo "ok: $n examples accepted by the API server"
}

check_invalid() {
	install_crds
	new_namespace
	local file want out n=0 bad=0
	declare -A listed=()
	while IFS=$'\t' read -r file want; do
		[[ -z "$file" || "$file" == \#* ]] && continue
		listed["$file"]=1
		[[ -f "$HERE/invalid/$file" ]] || fail "cases.tsv lists missing file invalid/$file"
		if out="$(k create --dry-run=server -n "$NS" -f "$HERE/invalid/$file" 2>&1)"; then
			printf 'FAIL: %s was accepted\n' "$file" >&2
			bad=$((bad + 1))
		elif [[ "$out" != *"$want"* ]]; then
			printf 'FAIL: %s rejected without [%s]:\n%s\n' "$file" "$want" "$out" >&2
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done <"$HERE/cases.tsv"
	for file in "$HERE"/invalid/*.yaml; do
		[[ -n "${listed[$(basename "$file")]:-}" ]] || fail "invalid/$(basename "$file") has no row in cases.tsv"
	done
	((bad == 0)) || fail "$bad of $n invalid resources not rejected as expected"
	echo "ok: $n invalid resources rejected with the expected messages"
}

# The API server publishes a new CRD's OpenAPI a moment after Established.
explain_with_retry() {
	local out="" i
	for i in $(seq 1 30); do
		if out="$(k explain "$@" 2>&1)"; then
			printf '%s' "$out"
			return 0
		fi
		sleep 1
	done
	fail "kubectl explain $* kept failing: $out"
}

check_explain() {
	install_crds
	local out
	out="$(explain_with_retry pipeline.spec.steps)"
	expect_contains "explain pipeline.spec.steps" "$out" "The steps of the DAG"
	expect_contains "explain pipeline.spec.steps" "$out" "Step name, 1-64 characters"
	expect_contains "explain pipeline.spec.steps" "$out" "Evaluates conditions inside the operator"
	out="$(explain_with_retry pipeline.spec.steps.condition.conditions.type)"
	expect_contains "explain ...conditions.type" "$out" "LessThanOrEqualTo"
	out="$(explain_with_retry plx.spec.selectiveExecution)"
	expect_contains "explain plx.spec.selectiveExecution" "$out" "Re-run only some steps"
	expect_contains "explain plx.spec.selectiveExecution" "$out" "fromFailure"
	expect_contains "explain plx.spec.selectiveExecution" "$out" "newest execution that Succeeded, Failed or Stopped"
	out="$(explain_with_retry plx.status.steps.reusedFrom)"
	expect_contains "explain plx.status.steps.reusedFrom" "$out" "really produced the outputs"
	echo "ok: kubectl explain shows the descriptions"
}

# Creates the Abalone pipeline and a fixed-name execution, with a status the
# operator would write.
create_abalone_with_status() {
	k apply -n "$NS" -f "$ROOT/examples/abalone/pipeline.yaml" >/dev/null
	k patch -n "$NS" pipeline abalone --subresource=status --type=merge \
		-p '{"status":{"stepCount":6,"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Valid","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}' >/dev/null
	k create -n "$NS" -f - >/dev/null <<-'YAML'
	apiVersion: sluice.dev/v1alpha1
	kind: PipelineExecution
	metadata: {name: abalone-7f2kq}
	spec:
	  pipelineRef: {name: abalone}
	  parameters: [{name: XGBNumRounds, value: "150"}]
	  selectiveExecution: {sourceExecution: abalone-x62pb, selectedSteps: [Train, Evaluate]}
	YAML
	k patch -n "$NS" plx abalone-7f2kq --subresource=status --type=merge \
		-p '{"status":{"phase":"Executing","progress":"3/6","selectiveExecution":{"sourceExecution":"abalone-x62pb","selectedSteps":["Train","Evaluate"]}}}' >/dev/null
}

check_columns() {
	install_crds
	new_namespace
	create_abalone_with_status
	local out
	out="$(k get pl -n "$NS")"
	expect_contains "get pl" "$out" "NAME"
	[[ "$(head -1 <<<"$out" | tr -s ' ')" == "NAME STEPS READY AGE" ]] ||
		fail "get pl header: $(head -1 <<<"$out")"
	[[ "$(sed -n 2p <<<"$out" | awk '{print $1, $2, $3}')" == "abalone 6 True" ]] ||
		fail "get pl row: $(sed -n 2p <<<"$out")"
	out="$(k get plx -n "$NS")"
	[[ "$(head -1 <<<"$out" | tr -s ' ')" == "NAME PIPELINE PHASE PROGRESS SOURCE AGE" ]] ||
		fail "get plx header: $(head -1 <<<"$out")"
	[[ "$(sed -n 2p <<<"$out" | awk '{print $1, $2, $3, $4, $5}')" == "abalone-7f2kq abalone Executing 3/6 abalone-x62pb" ]] ||
		fail "get plx row: $(sed -n 2p <<<"$out")"
	out="$(k get plx -n "$NS" -o wide)"
	expect_contains "get plx -o wide" "$(head -1 <<<"$out")" "REASON"
	out="$(k get sluice -n "$NS" --no-headers)"
	[[ "$(wc -l <<<"$out")" -eq 2 ]] || fail "kubectl get sluice should list 2 objects, got:
$out"
	echo "ok: printer columns and the sluice category"
}

check_status() {
	install_crds
	new_namespace
	create_abalone_with_status
	local out
	# The main resource ignores status: only the subresource writes it.
	k patch -n "$NS" plx abalone-7f2kq --type=merge -p '{"status":{"phase":"Failed"}}' >/dev/null
	out="$(k get -n "$NS" plx abalone-7f2kq -o jsonpath='{.status.phase}')"
	[[ "$out" == Executing ]] || fail "status changed through the main resource: phase=$out"
	# A full step record as DESIGN.md shows it is kept, field by field.
	k patch -n "$NS" plx abalone-7f2kq --subresource=status --type=merge -p '{"status":{
		"parameters":[{"name":"XGBNumRounds","value":"150","source":"Override"}],
		"pipelineSpec":{"steps":[{"name":"Train"}]},
		"steps":[{"name":"Train","phase":"Succeeded","attemptCount":1,"jobName":"abalone-7f2kq-train-3k9x2",
		  "reusedFrom":{"execution":"abalone-ksm2m"},"cacheHit":{"execution":"abalone-ksm2m"},
		  "outputs":[{"name":"model","uri":"s3://b/p/ns/abalone/abalone-7f2kq/Train/model/","size":12,"sha256":"ab"}],
		  "properties":[{"name":"mse","value":"4.37"}],"cacheKey":"sha256:00",
		  "condition":{"outcome":"True"},"consumedParameters":[{"name":"XGBNumRounds","value":"150"}]}]}}' >/dev/null
	out="$(k get -n "$NS" plx abalone-7f2kq -o json)"
	expect_contains "status kept" "$out" '"consumedParameters"'
	expect_contains "status kept" "$out" '"sha256": "ab"'
	expect_contains "status kept" "$out" '"outcome": "True"'
	expect_contains "status kept" "$out" '"source": "Override"'
	# The status schema rejects phases DESIGN.md does not define.
	if out="$(k patch -n "$NS" plx abalone-7f2kq --subresource=status --type=merge \
		-p '{"status":{"phase":"Running"}}' 2>&1)"; then
		fail "status.phase Running was accepted"
	fi
	expect_contains "bad phase" "$out" 'Unsupported value: "Running"'
	echo "ok: status subresource and schema"
}

check_immutable() {
	install_crds
	new_namespace
	create_abalone_with_status
	local out field
	for field in '"pipelineRef":{"name":"other"}' \
		'"parameters":[{"name":"XGBNumRounds","value":"1"}]' \
		'"selectiveExecution":{"fromSteps":["Evaluate"]}'; do
		if out="$(k patch -n "$NS" plx abalone-7f2kq --type=merge -p "{\"spec\":{$field}}" 2>&1)"; then
			fail "spec change $field was accepted"
		fi
		expect_contains "change $field" "$out" "immutable; create a new PipelineExecution instead"
	done
	k patch -n "$NS" plx abalone-7f2kq --type=merge -p '{"spec":{"stop":true}}' >/dev/null ||
		fail "setting spec.stop was rejected"
	echo "ok: only stop and maxParallelSteps change after creation"
}

case "$CHECK" in
install | descriptions | examples | invalid | explain | columns | status | immutable) "check_$CHECK" ;;
*) fail "unknown check $CHECK" ;;
esac
