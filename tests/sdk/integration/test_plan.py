"""Pipeline.plan(): the preview of `kubectl-sluice plan -o json` (issue 11's CLI,
which runs the operator's own planner). Skipped, saying why, where that binary
is not built; the SDK's side of the contract is unit-tested with a stand-in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sluice import InvalidSelectiveExecutionError, SelectiveExecutionConfig
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
    assert plan["kind"] == "PlanPreview" and plan["formatVersion"] == 1, plan
    assert plan["verdict"]["accepted"] is True, plan["verdict"]
    assert plan["sourceExecution"] == first.name
    actions = {s["name"]: s for s in plan["steps"]}
    assert actions["Preprocess"]["action"] == "reuse" and actions["Preprocess"]["producer"] == first.name
    assert actions["Train"]["action"] == "run"
    assert actions["Evaluate"]["action"] == "skip"
    assert abalone.list_executions()["PipelineExecutionSummaries"] == before, "plan() must not create anything"
    # What the operator then does matches the preview.
    run = abalone.start({"XGBNumRounds": 200}, selective_execution_config=SelectiveExecutionConfig(["Train"], first.arn),
                        wait=True)
    assert cluster.kubelet.steps_run_by(run.name) == ["Train"]


def test_plan_of_a_disconnected_selection_is_refused_naming_the_missing_step(cluster, abalone):
    first = abalone.start(wait=True)
    plan = abalone.plan(selective_execution_config=SelectiveExecutionConfig(["Train", "MSECheck"], first.arn),
                        kubectl_sluice=_cli())
    assert plan["verdict"]["accepted"] is False
    assert plan["verdict"]["reason"] == "InvalidSelectiveExecution"
    assert "Evaluate" in plan["verdict"]["message"]
    # start() raises with the same message the preview gave.
    with pytest.raises(InvalidSelectiveExecutionError) as err:
        abalone.start(selective_execution_config=SelectiveExecutionConfig(["Train", "MSECheck"], first.arn))
    assert err.value.message == plan["verdict"]["message"]
