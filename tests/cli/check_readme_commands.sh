#!/usr/bin/env bash
# The README's CLI command table must list exactly the commands
# `kubectl-sluice --help` offers.
# usage: check_readme_commands.sh README.md KUBECTL_SLUICE_BIN
set -euo pipefail
readme="${1:?usage: check_readme_commands.sh README.md KUBECTL_SLUICE_BIN}"
cli="${2:?usage: check_readme_commands.sh README.md KUBECTL_SLUICE_BIN}"

section="$(sed -n '/^## The kubectl sluice CLI/,/^## /p' "$readme")"
[[ -n "$section" ]] || { echo "FAIL: no '## The kubectl sluice CLI' section in $readme" >&2; exit 1; }
# The section's first table, "| command | what it does |", up to its end.
table="$(sed -n '/^| command | what it does |/,/^$/p' <<<"$section")"
[[ -n "$table" ]] || { echo "FAIL: no '| command | what it does |' table in the CLI section" >&2; exit 1; }
documented="$(grep -oE '^\| `[a-z]+' <<<"$table" | sed 's/^| `//' | sort -u)"
offered="$("$cli" --help | sed -n '/^Commands:/,/^$/p' | grep -oE '^  [a-z]+' | tr -d ' ' | sort -u)"
[[ -n "$offered" ]] || { echo "FAIL: $cli --help lists no commands" >&2; exit 1; }
if [[ "$documented" != "$offered" ]]; then
	echo "FAIL: README CLI table and kubectl-sluice --help differ:" >&2
	diff <(echo "$documented") <(echo "$offered") >&2 || true
	exit 1
fi
echo "ok: the README's CLI table and kubectl-sluice --help agree ($(wc -l <<<"$offered") commands)"
