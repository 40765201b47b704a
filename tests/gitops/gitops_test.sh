#!/usr/bin/env bash
# GitOps health checks of Sluice's status. One check per invocation, so
# ctest reports each:
#
#   gitops_test.sh docs      charts/sluice/argocd-health.md carries the Lua
#                            scripts of charts/sluice/argocd/ verbatim
#   gitops_test.sh recorded  Argo CD's verdict (the scripts, run by gopher-lua)
#                            and kstatus' on the objects in testdata/, as
#                            testdata/cases.tsv says
#   gitops_test.sh samples SAMPLES_BIN OUTDIR
#                            the same on the objects the planner writes today
#                            (sluice-status-samples), as samples.tsv says
#
# The checker is built from tools/ by build.sh (cached).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LUA="$ROOT/charts/sluice/argocd"
CHECK="${1:?usage: gitops_test.sh docs|recorded|samples SAMPLES_BIN OUTDIR}"

case "$CHECK" in
docs)
	python3 - "$ROOT/charts/sluice/argocd-health.md" "$LUA"/health-*.lua <<'PY'
import sys
doc = open(sys.argv[1]).read()
bad = 0
for path in sys.argv[2:]:
    # In argocd-cm the script is a YAML block scalar, indented 4 spaces.
    block = "".join(("    " + l) if l.strip() else l for l in open(path).read().splitlines(True))
    if block not in doc:
        print(f"FAIL: {sys.argv[1]} does not carry {path} verbatim")
        bad += 1
    else:
        print(f"ok: {path}")
sys.exit(1 if bad or len(sys.argv) < 4 else 0)
PY
	;;
recorded)
	"$(bash "$HERE/build.sh")" verify "$LUA" "$HERE/testdata/cases.tsv"
	;;
samples)
	bin="${2:?SAMPLES_BIN}" out="${3:?OUTDIR}"
	rm -rf "$out" && mkdir -p "$out"
	"$bin" "$out"
	cp "$HERE/samples.tsv" "$out/cases.tsv"
	"$(bash "$HERE/build.sh")" verify "$LUA" "$out/cases.tsv"
	;;
*)
	echo "unknown check $CHECK" >&2
	exit 2
	;;
esac
