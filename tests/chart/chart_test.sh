#!/usr/bin/env bash
# Checks of charts/sluice. One check per invocation, so ctest reports each:
#
#   chart_test.sh crds-identical  charts/sluice/crds equals the top-level crds/
#   chart_test.sh lint            helm lint, default values and every option on
#   chart_test.sh bad-values      each file in bad-values/ fails the schema with
#                                 the message in bad-values.tsv
#   chart_test.sh dry-run         rendered manifests (default, every option)
#                                 accepted by kubectl apply --dry-run=server in
#                                 a namespace enforcing the restricted Pod
#                                 Security Standard
#   chart_test.sh operator-flags OPERATOR_BINARY
#                                 sluice-operator accepts every flag the
#                                 Deployment renders (default, every option)
#   chart_test.sh ui-flags UI_BINARY
#                                 sluice-ui accepts every flag the optional web
#                                 view's Deployment renders; it is off by default
#   chart_test.sh rbac            the rendered RBAC, applied for real, lets the
#                                 operator's ServiceAccount do what it needs and
#                                 nothing it does not (kubectl auth can-i)
#
# Needs SLUICE_TEST_HELM (and, except for crds-identical, lint and bad-values,
# SLUICE_TEST_KUBECONFIG and SLUICE_TEST_KUBECTL); fails, never skips, without
# them. Cluster checks use fresh namespaces and release names and delete them.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CHART="$ROOT/charts/sluice"
CHECK="${1:?usage: chart_test.sh crds-identical|readme-values|lint|bad-values|dry-run|operator-flags BINARY|rbac}"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
need_helm() {
	: "${SLUICE_TEST_HELM:?is not set: start the cluster with tests/cluster/up.sh and source its env file}"
	[[ -x "$SLUICE_TEST_HELM" ]] || fail "SLUICE_TEST_HELM=$SLUICE_TEST_HELM is not executable"
}
need_cluster() {
	: "${SLUICE_TEST_KUBECONFIG:?is not set: start the cluster with tests/cluster/up.sh and source its env file}"
	: "${SLUICE_TEST_KUBECTL:?is not set: start the cluster with tests/cluster/up.sh and source its env file}"
	[[ -r "$SLUICE_TEST_KUBECONFIG" ]] || fail "SLUICE_TEST_KUBECONFIG=$SLUICE_TEST_KUBECONFIG is not readable"
}
helm() { "$SLUICE_TEST_HELM" "$@"; }
# helm template assumes Kubernetes v1.20 unless told; render for the real server.
server_version() {
	k version -o json | python3 -c 'import json, sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])'
}
render() { helm template "$@" --kube-version "$KUBE_VERSION"; }
k() { "$SLUICE_TEST_KUBECTL" --kubeconfig "$SLUICE_TEST_KUBECONFIG" "$@"; }

# Unique per run: several runs may share one cluster.
RUN_ID="$(date +%s)-$$"
CLEANUP=()
cleanup() {
	local i
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT
new_namespace() { # VAR NAME: creates sluice-chart-NAME-RUN_ID and stores its name in VAR
	# Not called as $(...): the cleanup must reach this shell's CLEANUP list.
	local created="sluice-chart-$2-$RUN_ID"
	k create namespace "$created" >/dev/null
	CLEANUP+=("k delete namespace $created --wait=false")
	printf -v "$1" '%s' "$created"
}

# Every chart value the READMEs name (value tables and --set flags) must exist
# in values.schema.json, which rejects unknown keys: docs that name a value
# the chart does not have would send users to an install error.
check_readme_values() {
	python3 - "$CHART/values.schema.json" "$ROOT/README.md" "$CHART/README.md" <<'PY' || fail "a README names chart values the chart does not have"
import json, re, sys

schema = json.load(open(sys.argv[1]))

def exists(path):
    node = schema
    for part in path.split("."):
        props = node.get("properties", {})
        if part not in props:
            return False
        node = props[part]
        if "$ref" in node:  # "#/definitions/x"
            node = schema["definitions"][node["$ref"].split("/")[-1]]
    return True

bad, seen = [], 0
for readme in sys.argv[2:]:
    text = open(readme).read()
    names = []
    # Rows of the tables whose header starts "| value |".
    rows, in_table = [], False
    for line in text.splitlines():
        if line.startswith("| value |"):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table:
            m = re.match(r"\| (`[^|]*`) \|", line)
            if m:
                rows.append(m.group(1))
    for row in rows:
        parent = ""
        for name in re.findall(r"`([A-Za-z.][A-Za-z0-9_.]*)`", row):
            if name.startswith("."):
                name = parent + name
            parent = name.rsplit(".", 1)[0]
            names.append(name)
    names += re.findall(r"--set(?:-json|-string)? '?([A-Za-z][A-Za-z0-9_.]*)=", text)
    for name in names:
        seen += 1
        if not exists(name):
            bad.append(f"{readme}: `{name}` is not a value of the chart")
for line in bad:
    print("FAIL:", line, file=sys.stderr)
if seen == 0:
    print("FAIL: found no chart values in the READMEs (has their format changed?)", file=sys.stderr)
    sys.exit(1)
print(f"ok: {seen} chart values named in the READMEs exist in values.schema.json")
sys.exit(1 if bad else 0)
PY
}

check_crds_identical() {
	diff -r "$ROOT/crds" "$CHART/crds" ||
		fail "charts/sluice/crds differs from crds/: run 'cp crds/*.yaml charts/sluice/crds/'"
	[[ "$(find "$ROOT/crds" -name '*.yaml' | wc -l)" -eq 2 ]] || fail "expected the two CRD files in crds/"
	echo "ok: chart CRDs identical to crds/"
}

check_lint() {
	need_helm
	helm lint --strict "$CHART" || fail "helm lint (default values)"
	helm lint --strict "$CHART" -f "$HERE/values-all-options.yaml" || fail "helm lint (every option)"
	echo "ok: helm lint with default values and with every option"
}

check_bad_values() {
	need_helm
	local file want out n=0 bad=0
	declare -A listed=()
	while IFS=$'\t' read -r file want; do
		[[ -z "$file" || "$file" == \#* ]] && continue
		listed["$file"]=1
		if out="$(helm template t "$CHART" -f "$HERE/bad-values/$file" 2>&1)"; then
			printf 'FAIL: %s was accepted\n' "$file" >&2
			bad=$((bad + 1))
		elif [[ "$out" != *"$want"* ]]; then
			printf 'FAIL: %s rejected without [%s]:\n%s\n' "$file" "$want" "$out" >&2
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done <"$HERE/bad-values.tsv"
	for file in "$HERE"/bad-values/*.yaml; do
		[[ -n "${listed[$(basename "$file")]:-}" ]] || fail "bad-values/$(basename "$file") has no row in bad-values.tsv"
	done
	((bad == 0)) || fail "$bad of $n bad values files not rejected as expected"
	echo "ok: $n bad values files rejected by values.schema.json"
}

check_dry_run() {
	need_helm
	need_cluster
	local rel ns a b out
	KUBE_VERSION="$(server_version)"
	rel="sluice-$RUN_ID"
	new_namespace ns release
	new_namespace a a
	new_namespace b b
	# The CRDs first (really applied, idempotent): the chart's objects do not
	# need them, but a user's install does, and this is the chart's copy.
	k apply --server-side --force-conflicts --field-manager=sluice-chart-test -f "$CHART/crds/" >/dev/null
	# The release namespace enforces (and warns about) the "restricted" Pod
	# Security Standard: the operator pod must meet it with default values.
	k label namespace "$ns" pod-security.kubernetes.io/enforce=restricted \
		pod-security.kubernetes.io/warn=restricted >/dev/null
	out="$(render "$rel" "$CHART" -n "$ns")"
	[[ "$out" == *"readOnlyRootFilesystem: true"* && "$out" == *"runAsNonRoot: true"* ]] ||
		fail "default render is not hardened (read-only root filesystem, non-root)"
	local applied
	applied="$(k apply --dry-run=server -f - <<<"$out" 2>&1)" || fail "default render rejected: $applied"
	[[ "$applied" != *"would violate PodSecurity"* ]] || fail "default render breaks the restricted Pod Security Standard: $applied"
	out="$(render "$rel" "$CHART" -n "$ns" -f "$HERE/values-all-options.yaml" \
		--set-json "rbac.watchNamespaces=[\"$a\"]" \
		--set-json "stepServiceAccount.namespaces=[\"$a\",\"$b\"]")"
	[[ "$out" == *"kind: ServiceMonitor"* && "$out" == *"interval: 15s"* ]] ||
		fail "every-option render lacks the ServiceMonitor"
	[[ "$out" == *"- --leader-elect"* && "$out" == *"- --namespace=$a"* ]] ||
		fail "every-option render lacks leader election or --namespaces"
	local tmp
	tmp="$(mktemp)"
	CLEANUP+=("rm -f $tmp")
	# The ServiceMonitor kind needs the Prometheus Operator's CRDs, which the
	# test cluster does not have: checked by content above, left out here.
	render "$rel" "$CHART" -n "$ns" -f "$HERE/values-all-options.yaml" \
		--set-json "rbac.watchNamespaces=[\"$a\"]" \
		--set-json "stepServiceAccount.namespaces=[\"$a\",\"$b\"]" \
		--set metrics.serviceMonitor.enabled=false |
		k apply --dry-run=server -f - >"$tmp" 2>&1 || fail "every-option render rejected: $(cat "$tmp")"
	! grep -q "would violate PodSecurity" "$tmp" || fail "every-option render breaks the restricted Pod Security Standard: $(cat "$tmp")"
	echo "ok: default and every-option renders accepted by the API server (dry run)"
}

# The operator container's args, one per line, from a rendered Deployment
# (python3 stdlib only: the chart writes them as "- flag" or "- \"flag\"").
container_args() { container_list args; }
# container_list KEY: the items of the first "KEY:" list of a rendered container.
container_list() {
	python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
start = next(i for i, l in enumerate(lines) if l.strip() == sys.argv[1] + ":")
for l in lines[start + 1:]:
    s = l.strip()
    if not s.startswith("- "):
        break
    v = s[2:]
    print(json.loads(v) if v.startswith("\"") else v)
' "$1"
}

check_operator_flags() {
	need_helm
	local bin="${1:?operator-flags needs the sluice-operator binary}" values args out
	[[ -x "$bin" ]] || fail "$bin is not executable (build sluice-operator)"
	for values in "" "$HERE/values-all-options.yaml"; do
		mapfile -t args < <(helm template t "$CHART" --kube-version v1.36.0 \
			--show-only templates/deployment.yaml ${values:+-f "$values"} | container_args)
		((${#args[@]} >= 5)) || fail "found only ${#args[@]} args in the rendered Deployment"
		# --help after the rendered flags: the operator parses them all, then exits 0.
		out="$("$bin" "${args[@]}" --help 2>&1)" ||
			fail "sluice-operator rejects the chart's flags (${values:-default values}): $out"
	done
	echo "ok: sluice-operator accepts every flag the chart renders"
}

check_ui_flags() {
	need_helm
	local bin="${1:?ui-flags needs the sluice-ui binary}" values flags out
	[[ -x "$bin" ]] || fail "$bin is not executable (build sluice-ui)"
	for values in "" "$HERE/values-all-options.yaml"; do
		mapfile -t flags < <(helm template t "$CHART" --kube-version v1.36.0 --set ui.enabled=true \
			--show-only templates/ui.yaml ${values:+-f "$values"} | container_list command | tail -n +2)
		((${#flags[@]} >= 4)) || fail "found only ${#flags[@]} flags in the rendered sluice-ui command"
		out="$("$bin" "${flags[@]}" --help 2>&1)" ||
			fail "sluice-ui rejects the chart's flags (${values:-default values}): $out"
	done
	# Off by default: no web view unless asked for.
	[[ -z "$(helm template t "$CHART" --kube-version v1.36.0 --show-only templates/ui.yaml 2>/dev/null)" ]] ||
		fail "the default render deploys sluice-ui"
	echo "ok: sluice-ui accepts every flag the chart renders; off by default"
}

# can SA_NS SA NAMESPACE VERB RESOURCE...: prints yes/no
can() {
	local sa_ns="$1" sa="$2" ns="$3"
	shift 3
	# A fresh discovery cache per call: kubectl's shared cache may predate the
	# CRDs, and then it cannot map pipelines.sluice.dev to its API group.
	local cache
	cache="$(mktemp -d)"
	k --cache-dir "$cache" auth can-i --as="system:serviceaccount:$sa_ns:$sa" -n "$ns" "$@" 2>/dev/null || true
	rm -rf "$cache"
}

# The RBAC authorizer learns new bindings through its informers, a moment
# after they are created (longer on a loaded machine): wait, bounded, until
# the first permission that must be granted is, before judging any of them.
wait_rbac() {
	local -a words
	read -ra words <<<"$4"
	for _ in $(seq 1 100); do
		[[ "$(can "$1" "$2" "$3" "${words[@]}")" == yes ]] && return 0
		sleep 0.2
	done
	return 0 # expect_can then reports what is missing
}

# expect_can yes|no SA_NS SA NAMESPACE VERB RESOURCE [FLAGS]; a single
# "VERB RESOURCE FLAGS" word is split on spaces, without globbing ("* *").
expect_can() {
	local want="$1"
	shift
	local got
	if (($# == 4)); then
		local -a words
		read -ra words <<<"$4"
		set -- "$1" "$2" "$3" "${words[@]}"
	fi
	got="$(can "$@")"
	[[ "$got" == "$want" ]] || {
		printf 'FAIL: can-i %s (as %s:%s in %s) = %s, want %s\n' "${*:4}" "$1" "$2" "$3" "$got" "$want" >&2
		RBAC_BAD=$((RBAC_BAD + 1))
	}
}

# What the operator needs in a namespace it watches: exactly the calls it
# makes (informers list and watch; writes as in the reconcilers).
ALLOWED=(
	"list pipelines.sluice.dev" "watch pipelines.sluice.dev"
	"update pipelines.sluice.dev --subresource=status"
	"list pipelineexecutions.sluice.dev" "watch pipelineexecutions.sluice.dev" "patch pipelineexecutions.sluice.dev"
	"update pipelineexecutions.sluice.dev --subresource=status"
	"update pipelineexecutions.sluice.dev --subresource=finalizers"
	"create jobs.batch" "delete jobs.batch" "list jobs.batch" "watch jobs.batch"
	"list pods" "watch pods"
	"create events"
)
# What it must not be able to do anywhere, including every verb the chart
# once granted but the operator never uses.
FORBIDDEN=(
	"get secrets" "list secrets" "watch secrets" "create pods --subresource=exec" "get pods --subresource=exec"
	"create pods" "delete pods" "get pods"
	"get pipelines.sluice.dev" "delete pipelines.sluice.dev" "update pipelines.sluice.dev" "create pipelines.sluice.dev"
	"patch pipelines.sluice.dev" "get pipelines.sluice.dev --subresource=status" "patch pipelines.sluice.dev --subresource=status"
	"get pipelineexecutions.sluice.dev" "update pipelineexecutions.sluice.dev"
	"delete pipelineexecutions.sluice.dev" "create pipelineexecutions.sluice.dev"
	"get pipelineexecutions.sluice.dev --subresource=status" "patch pipelineexecutions.sluice.dev --subresource=status"
	"get jobs.batch" "update jobs.batch" "patch jobs.batch"
	"patch events" "update events" "delete events" "create events.events.k8s.io" "patch events.events.k8s.io"
	"get configmaps" "create serviceaccounts"
	"create rolebindings.rbac.authorization.k8s.io" "escalate roles.rbac.authorization.k8s.io"
	"delete namespaces" "* *"
)

# render_apply REL NS [helm args...]: renders only the RBAC and ServiceAccounts
# and applies them for real; registers cleanup of the cluster-scoped objects.
render_apply() {
	local rel="$1" ns="$2"
	shift 2
	render "$rel" "$CHART" -n "$ns" --show-only templates/serviceaccount.yaml \
		--show-only templates/rbac.yaml "$@" | k apply -f - >/dev/null
	CLEANUP+=("k delete clusterrole,clusterrolebinding -l app.kubernetes.io/instance=$rel")
}

check_rbac() {
	need_helm
	need_cluster
	RBAC_BAD=0
	# can-i maps pipelines.sluice.dev to its API group through discovery, so
	# the CRDs must be served; do not rely on another test having applied them.
	k apply --server-side --force-conflicts --field-manager=sluice-chart-test -f "$CHART/crds/" >/dev/null
	# shellcheck source=../common/crds.sh
	source "$ROOT/tests/common/crds.sh"
	wait_crds_established k
	local rel ns other sa v
	KUBE_VERSION="$(server_version)"
	# Cluster-wide (default values): allowed in any namespace.
	rel="sluice-$RUN_ID"
	new_namespace ns op
	new_namespace other other
	sa="$rel" # the full name of the release
	render_apply "$rel" "$ns"
	wait_rbac "$ns" "$sa" "$other" "${ALLOWED[0]}"
	for v in "${ALLOWED[@]}"; do
		expect_can yes "$ns" "$sa" "$other" "$v"
	done
	for v in "${FORBIDDEN[@]}"; do
		expect_can no "$ns" "$sa" "$other" "$v"
	done
	for v in "get secrets" "create pods --subresource=exec" "delete pipelines.sluice.dev"; do
		expect_can no "$ns" "$sa" "$ns" "$v"
	done
	# Leader election off (one replica): no Lease access.
	expect_can no "$ns" "$sa" "$ns" update leases.coordination.k8s.io

	# Namespaced (Roles in the two listed namespaces only) with leader election.
	local rel2="sluice-ns-$RUN_ID" ns2 watched watched2
	new_namespace ns2 op2
	new_namespace watched watched
	new_namespace watched2 watched2
	render_apply "$rel2" "$ns2" --set-json "rbac.watchNamespaces=[\"$watched\",\"$watched2\"]" --set replicaCount=2
	wait_rbac "$ns2" "$rel2" "$watched" "${ALLOWED[0]}"
	wait_rbac "$ns2" "$rel2" "$watched2" "${ALLOWED[0]}"
	for v in "${ALLOWED[@]}"; do
		expect_can yes "$ns2" "$rel2" "$watched" "$v"
		expect_can yes "$ns2" "$rel2" "$watched2" "$v"
	done
	for v in "list pipelines.sluice.dev" "create jobs.batch" "list pods" "create events"; do
		expect_can no "$ns2" "$rel2" "$other" "$v"
	done
	for v in "get leases.coordination.k8s.io" "create leases.coordination.k8s.io" "update leases.coordination.k8s.io"; do
		expect_can yes "$ns2" "$rel2" "$ns2" "$v"
	done
	for v in "delete leases.coordination.k8s.io" "patch leases.coordination.k8s.io" "list leases.coordination.k8s.io"; do
		expect_can no "$ns2" "$rel2" "$ns2" "$v"
	done
	# The leader-election Role is the Lease alone: no Events in the (unwatched) release namespace.
	expect_can no "$ns2" "$rel2" "$ns2" create events
	expect_can no "$ns2" "$rel2" "$other" update leases.coordination.k8s.io
	for v in "${FORBIDDEN[@]}"; do
		expect_can no "$ns2" "$rel2" "$watched" "$v"
		expect_can no "$ns2" "$rel2" "$watched2" "$v"
	done
	((RBAC_BAD == 0)) || fail "$RBAC_BAD permission checks failed"
	echo "ok: RBAC allows ${#ALLOWED[@]} needed verbs, forbids ${#FORBIDDEN[@]} others, cluster-wide and per namespace"
}

case "$CHECK" in
crds-identical) check_crds_identical ;;
readme-values) check_readme_values ;;
lint) check_lint ;;
bad-values) check_bad_values ;;
dry-run) check_dry_run ;;
operator-flags) check_operator_flags "${2:-}" ;;
ui-flags) check_ui_flags "${2:-}" ;;
rbac) check_rbac ;;
*) fail "unknown check $CHECK" ;;
esac
