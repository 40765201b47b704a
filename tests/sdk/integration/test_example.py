"""examples/sdk/abalone_selective.py, the notebook-style example, runs against
the real API server and operator and prints what it says it does."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT
from sluice import PipelineExecution


def test_the_notebook_example_runs(cluster):
    env = {
        **os.environ,
        "KUBECONFIG": os.environ["SLUICE_TEST_KUBECONFIG"],
        "SLUICE_NAMESPACE": cluster.namespace,
    }
    r = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "sdk" / "abalone_selective.py")],
        capture_output=True, text=True, timeout=240, env=env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert out.startswith("Active\n"), out
    executions = cluster.pipeline("abalone").list_executions()["PipelineExecutionSummaries"]
    assert [s["PipelineExecutionStatus"] for s in executions] == ["Succeeded", "Succeeded"]
    # The re-run is the selective one; its source is the first run.
    described = [PipelineExecution(s["PipelineExecutionArn"], session=cluster.session).describe() for s in executions]
    (rerun_d,) = [d for d in described if "SelectiveExecutionConfig" in d]
    rerun = rerun_d["PipelineExecutionArn"]
    first = rerun_d["SelectiveExecutionConfig"]["SourcePipelineExecutionArn"]
    assert rerun_d["SelectiveExecutionConfig"]["SelectedSteps"] == [{"StepName": "Train"}, {"StepName": "Evaluate"}]
    assert f"{rerun}: Succeeded" in out
    reused = [line for line in out.splitlines() if line.strip().startswith("Preprocess") and first in line]
    assert len(reused) == 1, out  # Preprocess of the re-run, reused from the first run
    assert cluster.kubelet.steps_run_by(rerun.split("/")[1]) == ["Evaluate", "Train"]
    assert any(line.split()[:3] == ["XGBNumRounds", "300", "Override"] for line in out.splitlines()), out
    # With kubectl-sluice available the example previews the re-run first.
    if "plan: accepted=" in out:
        assert "plan: accepted=True" in out, out
        assert any(line.split()[:3] == ["Preprocess", "reuse", first.split("/")[1]] for line in out.splitlines()), out
    else:
        assert "(no preview: plan() needs the kubectl-sluice binary" in out, out
