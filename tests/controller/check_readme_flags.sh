#!/usr/bin/env bash
# The README's "Operator flags" section must name only flags sluice-operator
# has, and every flag the operator has (its --help) must be in that section.
# usage: check_readme_flags.sh README.md OPERATOR_BIN
set -euo pipefail
readme="${1:?usage: check_readme_flags.sh README.md OPERATOR_BIN}"
operator="${2:?usage: check_readme_flags.sh README.md OPERATOR_BIN}"

section="$(sed -n '/^## Operator flags/,/^## /p' "$readme")"
[[ -n "$section" ]] || { echo "FAIL: no '## Operator flags' section in $readme" >&2; exit 1; }
help="$("$operator" --help 2>&1 || true)"

documented="$(grep -o -- '--[a-z][a-z-]*' <<<"$section" | sort -u)"
offered="$(grep -o -- '^  --[a-z][a-z-]*' <<<"$help" | tr -d ' ' | sort -u)"
[[ -n "$offered" ]] || { echo "FAIL: $operator --help lists no flags" >&2; exit 1; }

failures=0
while read -r f; do
	[[ "$f" == --help ]] && continue
	grep -qxF -- "$f" <<<"$offered" || { echo "FAIL: the README documents $f, which sluice-operator does not have" >&2; failures=$((failures + 1)); }
done <<<"$documented"
while read -r f; do
	[[ "$f" == --help ]] && continue
	grep -qxF -- "$f" <<<"$documented" || { echo "FAIL: sluice-operator has $f, which the README's Operator flags section does not mention" >&2; failures=$((failures + 1)); }
done <<<"$offered"
((failures == 0)) || exit 1
echo "ok: the README's Operator flags section and sluice-operator --help agree ($(wc -l <<<"$offered") flags)"
