"""The four selective-execution cases of the README, end to end through the SDK:
the real API server, the real operator, a fake kubelet finishing the pods."""

from __future__ import annotations

import json

import pytest

import sluice
from sluice import ExecutionFailedError, SelectiveExecutionConfig
from fake_kubelet import StepBehaviour

ALL_CONTAINER_STEPS = ["Evaluate", "Preprocess", "Register", "Train"]


def steps_by_name(execution):
    return {s["StepName"]: s for s in execution.list_steps()}


def test_a_full_run_reports_steps_and_parameters_like_sagemaker(cluster, abalone):
    first = abalone.start(parameters={"XGBNumRounds": 150}, execution_display_name="first-run", wait=True)
    assert cluster.kubelet.steps_run_by(first.name) == ALL_CONTAINER_STEPS
    d = first.describe()
    assert d["PipelineExecutionStatus"] == "Succeeded"
    assert d["PipelineArn"] == f"{cluster.namespace}/abalone"
    assert d["PipelineExecutionDisplayName"] == "first-run"
    assert d["StartTime"] <= d["EndTime"]

    steps = steps_by_name(first)
    assert list(steps) == ["Preprocess", "Train", "Evaluate", "MSECheck", "Register", "FailNotify"]
    train = steps["Train"]
    assert train["StepStatus"] == "Succeeded"
    assert train["AttemptCount"] == 1
    assert train["Metadata"]["Job"]["Name"].startswith(first.name + "-train-")
    assert train["StartTime"] is not None and train["EndTime"] is not None
    assert "SelectiveExecutionResult" not in train and "CacheHitResult" not in train
    assert set(steps["Preprocess"]["Outputs"]) == {"train", "test"}
    assert steps["Evaluate"]["Properties"] == {"mse": "4.37"}
    assert steps["MSECheck"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert steps["FailNotify"]["StepStatus"] == "Skipped"
    assert steps["FailNotify"]["Reason"] == "ConditionNotMet"

    params = {p["Name"]: p for p in first.list_parameters()["PipelineParameters"]}
    assert params["XGBNumRounds"] == {"Name": "XGBNumRounds", "Value": "150", "Source": "Override"}
    assert params["XGBETA"] == {"Name": "XGBETA", "Value": "0.25", "Source": "Default"}
    page = first.list_parameters(max_results=2)
    assert len(page["PipelineParameters"]) == 2
    rest = first.list_parameters(next_token=page["NextToken"])
    assert [p["Name"] for p in page["PipelineParameters"] + rest["PipelineParameters"]] == list(params)


def test_case1_only_train_with_new_parameters_reuses_the_latest_execution(cluster, abalone):
    first = abalone.start(parameters={"XGBNumRounds": 150}, wait=True)
    first_steps = steps_by_name(first)
    params = abalone.build_parameters_from_execution(first.arn, {"XGBNumRounds": 200})
    assert params["XGBNumRounds"] == "200" and params["XGBETA"] == "0.25"

    rerun = abalone.start(parameters=params, selective_execution_config=SelectiveExecutionConfig(["Train"]))
    rerun.wait(delay=5, max_attempts=12)
    assert cluster.kubelet.steps_run_by(rerun.name) == ["Train"], "only the selected step gets a Job"
    steps = steps_by_name(rerun)
    pre = steps["Preprocess"]
    assert pre["StepStatus"] == "Succeeded"
    assert pre["SelectiveExecutionResult"] == {"SourcePipelineExecutionArn": first.arn}
    assert pre["Outputs"] == first_steps["Preprocess"]["Outputs"], "outputs are linked, not recomputed"
    assert steps["Train"]["Metadata"]["Job"]["Name"].startswith(rerun.name + "-train-")
    assert steps["Evaluate"]["StepStatus"] == "Skipped" and steps["Evaluate"]["Reason"] == "NotSelected"
    d = rerun.describe()
    assert d["SelectiveExecutionConfig"] == {
        "SourcePipelineExecutionArn": first.arn,  # the latest terminal run, resolved by the operator
        "SelectedSteps": [{"StepName": "Train"}],
    }
    params = {p["Name"]: p["Source"] for p in rerun.list_parameters()["PipelineParameters"]}
    assert params["XGBNumRounds"] == "Override"


def test_case2_train_and_evaluate_from_a_named_source_not_the_latest(cluster, abalone):
    first = abalone.start(parameters={"XGBNumRounds": 150}, wait=True)
    latest = abalone.start(parameters={"XGBNumRounds": 170}, wait=True)
    rerun = abalone.start(
        parameters={"XGBNumRounds": 250},
        selective_execution_config=SelectiveExecutionConfig(["Train", "Evaluate"], first.arn),
        wait=True,
    )
    assert cluster.kubelet.steps_run_by(rerun.name) == ["Evaluate", "Train"]
    steps = steps_by_name(rerun)
    assert steps["Preprocess"]["SelectiveExecutionResult"]["SourcePipelineExecutionArn"] == first.arn
    assert steps["Evaluate"]["Properties"] == {"mse": "4.37"}
    assert rerun.describe()["SelectiveExecutionConfig"]["SourcePipelineExecutionArn"] == first.arn != latest.arn
    # Parameters not given come from the source, not from the latest run.
    params = {p["Name"]: (p["Value"], p["Source"]) for p in rerun.list_parameters()["PipelineParameters"]}
    assert params["XGBNumRounds"] == ("250", "Override")
    assert params["XGBETA"] == ("0.25", "Reference")


def test_case3_rerun_from_failure_and_from_a_step(cluster, abalone, script_holder):
    script_holder["script"] = lambda step: StepBehaviour(exit_code=2 if step == "Evaluate" else 0)
    failed = abalone.start(parameters={"XGBNumRounds": 150})
    with pytest.raises(ExecutionFailedError, match="Step 'Evaluate' failed") as err:
        failed.wait(delay=5, max_attempts=12)
    assert err.value.reason == "StepFailed"
    assert err.value.last_response["PipelineExecutionStatus"] == "Failed"
    steps = steps_by_name(failed)
    assert steps["Evaluate"]["StepStatus"] == "Failed"
    assert "exit code 2" in steps["Evaluate"]["FailureReason"]

    script_holder["script"] = lambda step: StepBehaviour(properties={"mse": "4.37"} if step == "Evaluate" else {})
    fixed = abalone.start(selective_execution_config=SelectiveExecutionConfig.from_failure_of(failed.arn), wait=True)
    assert cluster.kubelet.steps_run_by(fixed.name) == ["Evaluate", "Register"]
    steps = steps_by_name(fixed)
    for reused in ("Preprocess", "Train"):
        assert steps[reused]["SelectiveExecutionResult"] == {"SourcePipelineExecutionArn": failed.arn}
    assert steps["MSECheck"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    selected = [s["StepName"] for s in fixed.describe()["SelectiveExecutionConfig"]["SelectedSteps"]]
    assert set(selected) == {"Evaluate", "MSECheck", "Register", "FailNotify"}

    # fromSteps: Evaluate and everything after it, reusing the fixed run, whose
    # Train was itself reused: the producer is followed back to `failed`.
    again = abalone.start(
        selective_execution_config=SelectiveExecutionConfig.from_steps_of(["Evaluate"], fixed.arn), wait=True)
    assert cluster.kubelet.steps_run_by(again.name) == ["Evaluate", "Register"]
    assert steps_by_name(again)["Train"]["SelectiveExecutionResult"] == {"SourcePipelineExecutionArn": failed.arn}


def test_case4_a_threshold_that_sends_the_gate_to_failnotify(cluster, abalone):
    first = abalone.start(wait=True)
    gated = abalone.start(
        parameters={"MseThreshold": 1, "XGBNumRounds": 130},  # a new value: Train really runs (no cache hit)
        selective_execution_config=SelectiveExecutionConfig(["Train", "Evaluate", "MSECheck", "FailNotify"]),
    )
    with pytest.raises(ExecutionFailedError, match="MSE 4.37 is above 1") as err:
        gated.wait(delay=5, max_attempts=12)
    assert err.value.last_response["FailureReason"] == "MSE 4.37 is above 1"
    steps = steps_by_name(gated)
    assert steps["MSECheck"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert steps["FailNotify"]["StepStatus"] == "Failed"
    assert steps["FailNotify"]["Metadata"] == {"Fail": {"ErrorMessage": "MSE 4.37 is above 1"}}
    assert steps["Preprocess"]["SelectiveExecutionResult"]["SourcePipelineExecutionArn"] == first.arn
    assert cluster.kubelet.steps_run_by(gated.name) == ["Evaluate", "Train"]


def test_cache_hits_report_cache_hit_result(cluster, abalone):
    # With caching on for every step, a second run with the same parameters
    # is served from the cache: Preprocess (no inputs) always, and each later
    # step whose key matches (its inputs are the cached URIs). Every step
    # without a Job must say where its result came from.
    spec = json.loads(abalone.describe()["PipelineDefinition"])
    spec["defaults"]["cache"] = {"enabled": True, "expireAfter": "P1D"}
    abalone.upsert(spec)
    first = abalone.start(parameters={"XGBNumRounds": 150}, wait=True)
    second = abalone.start(parameters={"XGBNumRounds": 150}, wait=True)
    assert first.raw()["status"]["pipelineGeneration"] == second.raw()["status"]["pipelineGeneration"] == 2
    first_steps, steps = steps_by_name(first), steps_by_name(second)
    ran = cluster.kubelet.steps_run_by(second.name)
    assert "Preprocess" not in ran
    for name in ("Preprocess", "Train", "Evaluate", "Register"):
        s = steps[name]
        assert s["StepStatus"] == "Succeeded", s
        assert "SelectiveExecutionResult" not in s
        if name in ran:
            assert "CacheHitResult" not in s and "Job" in s["Metadata"], s
        else:
            assert s["CacheHitResult"] == {"SourcePipelineExecutionArn": first.arn}, s
            assert "Job" not in s["Metadata"], s
            assert s.get("Outputs") == first_steps[name].get("Outputs"), "a hit links the original outputs"
    assert steps["Evaluate"]["Properties"] == {"mse": "4.37"}


def test_list_executions_newest_first_with_next_token(cluster, abalone):
    runs = [abalone.start(parameters={"XGBNumRounds": 100 + i}, execution_name=f"run-{i}", wait=True) for i in range(3)]
    everything = abalone.list_executions()
    arns = [s["PipelineExecutionArn"] for s in everything["PipelineExecutionSummaries"]]
    assert "NextToken" not in everything
    # Creation times have one-second resolution; ties sort by name, newest first.
    expected = sorted(runs, key=lambda r: (r.describe()["CreationTime"], r.name), reverse=True)
    assert arns == [r.arn for r in expected]
    assert {s["PipelineExecutionStatus"] for s in everything["PipelineExecutionSummaries"]} == {"Succeeded"}
    page1 = abalone.list_executions(max_results=2)
    page2 = abalone.list_executions(max_results=2, next_token=page1["NextToken"])
    assert [s["PipelineExecutionArn"] for s in page1["PipelineExecutionSummaries"] + page2["PipelineExecutionSummaries"]] == arns
    assert "NextToken" not in page2
    oldest_first = abalone.list_executions(sort_order="Ascending")
    assert [s["PipelineExecutionArn"] for s in oldest_first["PipelineExecutionSummaries"]] == arns[::-1]
    # Another pipeline's runs are not listed.
    other = cluster.pipeline("other")
    other.upsert({"steps": [{"name": "A", "container": {"image": "registry.example/a:1"}}],
                  "defaults": {"serviceAccountName": "pipeline-steps"}})
    other.start(wait=True)
    assert len(abalone.list_executions()["PipelineExecutionSummaries"]) == 3
    assert len(other.list_executions()["PipelineExecutionSummaries"]) == 1


def test_describe_pipeline_after_upsert_and_update(cluster, abalone):
    d = abalone.describe()
    assert d["PipelineStatus"] == "Active"
    assert d["PipelineArn"] == f"{cluster.namespace}/abalone"
    assert '"XGBNumRounds"' in d["PipelineDefinition"]
    spec = json.loads(d["PipelineDefinition"])
    spec["description"] = "updated through the SDK"
    d2 = abalone.upsert(spec)
    assert d2["PipelineDescription"] == "updated through the SDK"
    assert d2["PipelineStatus"] == "Active"
