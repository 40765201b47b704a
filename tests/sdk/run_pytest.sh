#!/usr/bin/env bash
# Runs pytest on the SDK's tests in a virtualenv that this script makes (or
# reuses) so a clean clone needs nothing but python3 and PyPI:
#
#   run_pytest.sh VENV_DIR PYTEST_ARGS...
#
# The venv holds `pip install -e sdk/python[test]`; it is rebuilt when
# sdk/python/pyproject.toml changes. Several tests may start at once (ctest
# -j): a lock makes one of them build it and the others wait.
set -euo pipefail
VENV="${1:?usage: run_pytest.sh VENV_DIR PYTEST_ARGS...}"
shift
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SDK="$ROOT/sdk/python"
PY="${SLUICE_PYTHON:-python3}"

mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9
stamp="$(sha256sum "$SDK/pyproject.toml" | cut -d' ' -f1) $("$PY" -c 'import sys; print(sys.version.split()[0])')"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.sluice-stamp" 2>/dev/null)" != "$stamp" ]]; then
	echo "[sdk] creating $VENV (pip install -e sdk/python[test])" >&2
	rm -rf "$VENV"
	"$PY" -m venv "$VENV"
	"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$SDK[test]" >&2
	echo "$stamp" >"$VENV/.sluice-stamp"
fi
flock -u 9
cd "$ROOT"
exec "$VENV/bin/python" -m pytest -q -rs -p no:cacheprovider "$@"
