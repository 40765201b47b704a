"""The package is typed (py.typed): mypy finds no error in it."""

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "sdk" / "python" / "src" / "sluice"


def test_py_typed_is_shipped():
    assert (PACKAGE / "py.typed").is_file()


def test_mypy_finds_no_errors():
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-error-summary", f"--cache-dir={Path(sys.prefix) / 'mypy-cache'}", str(PACKAGE)],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
