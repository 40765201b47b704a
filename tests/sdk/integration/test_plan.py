"""Pipeline.plan(): the preview of `kubectl-sluice plan -o json` (issue 11's CLI,
which runs the operator's own planner). Skipped, saying why, where that binary
is not built; the SDK's side of the contract is unit-tested with a stand-in."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sluice import PlanError, SelectiveExecutionConfig
from conftest import ROOT


def _cli() -> str | None:
    for candidate in (os.environ.get("SLUICE_KUBECTL_SLUICE"), os.environ.get("SLUICE_KUBECTL_SLUICE_BUILT"),
                      shutil.which("kubectl-sluice")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


pytestmark = pytest.mark.skipif(
    _cli() is None, reason="no kubectl-sluice binary (SLUICE_KUBECTL_SLUICE, the build, PATH): issue 11's CLI is not built here")


def test_plan_previews_a_selective_run_and_creates_nothing(cluster, abalone):
    first = abalone.start(wait=True)
    before = abalone.list_executions()["PipelineExecutionSummaries"]
    plan = abalone.plan({"XGBNumRounds": 200}, SelectiveExecutionConfig(["Train"], first.arn), kubectl_sluice=_cli())
    text = json.dumps(plan)
    for needle in ("Train", "Preprocess", first.name):
        assert needle in text, text
    assert abalone.list_executions()["PipelineExecutionSummaries"] == before, "plan() must not create anything"


def test_plan_of_a_disconnected_selection_names_the_missing_step(cluster, abalone):
    first = abalone.start(wait=True)
    try:
        plan = abalone.plan(selective_execution_config=SelectiveExecutionConfig(["Train", "MSECheck"], first.arn),
                            kubectl_sluice=_cli())
    except PlanError as e:
        assert "Evaluate" in str(e)
    else:
        assert "Evaluate" in json.dumps(plan), plan
