"""Pure conversions: Sluice objects -> SageMaker-shaped dicts, ARNs, pagination."""

from datetime import datetime, timezone

import pytest

from sluice import _shapes as shapes


def execution(name, created, phase=None, **status):
    obj = {
        "apiVersion": "sluice.dev/v1alpha1",
        "kind": "PipelineExecution",
        "metadata": {"name": name, "namespace": "ml", "creationTimestamp": created},
        "spec": {"pipelineRef": {"name": "abalone"}},
    }
    if phase:
        obj["status"] = {"phase": phase, **status}
    return obj


@pytest.mark.parametrize(
    "arn,ns,name",
    [
        ("ml/abalone-x62pb", "ml", "abalone-x62pb"),
        ("abalone-x62pb", "ml", "abalone-x62pb"),
        ("arn:aws:sagemaker:us-east-1:123456789012:pipeline/abalone/execution/abalone-x62pb", "ml", "abalone-x62pb"),
        ("other/abc", "other", "abc"),
    ],
)
def test_parse_execution_arn(arn, ns, name):
    assert shapes.parse_execution_arn(arn, "ml") == (ns, name)


@pytest.mark.parametrize("bad,needle", [("", "non-empty"), ("a/b/c", "namespace/name"), ("ml/Upper", "name 'Upper'")])
def test_parse_execution_arn_rejects(bad, needle):
    with pytest.raises(ValueError, match=needle):
        shapes.parse_execution_arn(bad, "ml")


def test_parameters_spec_formats_values_as_strings():
    assert shapes.parameters_spec({"N": 150, "Eta": 0.25, "Approve": True, "Input": "s3://b/k"}) == [
        {"name": "N", "value": "150"},
        {"name": "Eta", "value": "0.25"},
        {"name": "Approve", "value": "true"},
        {"name": "Input", "value": "s3://b/k"},
    ]
    with pytest.raises(TypeError, match="parameter 'N'"):
        shapes.parameters_spec({"N": [1]})


def test_describe_execution_of_a_selective_run():
    obj = execution(
        "retrain",
        "2026-11-27T00:08:20Z",
        "Failed",
        failureReason="Step 'Evaluate' failed: exit code 2",
        startTime="2026-11-27T00:08:21Z",
        endTime="2026-11-27T00:08:30Z",
        progress="6/6",
        conditions=[{"type": "Succeeded", "status": "False", "reason": "StepFailed", "message": "m"}],
        selectiveExecution={"sourceExecution": "first", "selectedSteps": ["Train", "Evaluate"]},
    )
    obj["spec"]["selectiveExecution"] = {"fromSteps": ["Train"]}
    obj["spec"]["maxParallelSteps"] = 2
    obj["metadata"]["annotations"] = {"sluice.dev/display-name": "retrain 200", "sluice.dev/description": "more rounds"}
    d = shapes.describe_execution(obj)
    assert d["PipelineArn"] == "ml/abalone"
    assert d["PipelineExecutionArn"] == "ml/retrain"
    assert d["PipelineExecutionDisplayName"] == "retrain 200"
    assert d["PipelineExecutionDescription"] == "more rounds"
    assert d["PipelineExecutionStatus"] == "Failed"
    assert d["FailureReason"] == "Step 'Evaluate' failed: exit code 2"
    assert d["FailureReasonCode"] == "StepFailed"
    assert d["CreationTime"] == datetime(2026, 11, 27, 0, 8, 20, tzinfo=timezone.utc)
    assert d["EndTime"] == datetime(2026, 11, 27, 0, 8, 30, tzinfo=timezone.utc)
    assert d["ParallelismConfiguration"] == {"MaxParallelExecutionSteps": 2}
    assert d["SelectiveExecutionConfig"] == {
        "SourcePipelineExecutionArn": "ml/first",
        "SelectedSteps": [{"StepName": "Train"}, {"StepName": "Evaluate"}],
        "FromSteps": [{"StepName": "Train"}],
    }


def test_describe_execution_before_the_operator_wrote_status():
    d = shapes.describe_execution(execution("new", "2026-11-27T00:00:00Z"))
    assert d["PipelineExecutionStatus"] == "Pending"
    assert "FailureReason" not in d and "SelectiveExecutionConfig" not in d


def test_execution_steps_shapes_like_sagemaker():
    obj = execution(
        "retrain",
        "2026-11-27T00:08:20Z",
        "Failed",
        failureReason="MSE 9 is above 6",
        pipelineSpec={"steps": [{"name": "Preprocess"}, {"name": "Train"}, {"name": "FailNotify", "fail": {"message": "x"}}]},
        steps=[
            {
                "name": "Preprocess",
                "phase": "Succeeded",
                "reusedFrom": {"execution": "first"},
                "outputs": [{"name": "train", "uri": "s3://b/p/ml/abalone/first/Preprocess/train/"}],
            },
            {
                "name": "Train",
                "phase": "Succeeded",
                "startTime": "2026-11-27T00:08:23Z",
                "endTime": "2026-11-27T00:08:24Z",
                "attemptCount": 1,
                "jobName": "retrain-train-56dc0954",
                "cacheHit": {"execution": "older"},
            },
            {"name": "MSECheck", "phase": "Succeeded", "condition": {"outcome": "False"}},
            {"name": "Register", "phase": "Skipped", "reason": "ConditionNotMet"},
            {"name": "FailNotify", "phase": "Failed", "message": "MSE 9 is above 6",
             "properties": [{"name": "mse", "value": "9"}]},
        ],
    )
    steps = shapes.execution_steps(obj)
    assert [s["StepName"] for s in steps] == ["Preprocess", "Train", "MSECheck", "Register", "FailNotify"]
    pre, train, check, register, fail = steps
    assert pre["StepStatus"] == "Succeeded"
    assert pre["SelectiveExecutionResult"] == {"SourcePipelineExecutionArn": "ml/first"}
    assert pre["Outputs"] == {"train": "s3://b/p/ml/abalone/first/Preprocess/train/"}
    assert pre["Metadata"] == {} and "StartTime" not in pre
    assert train["StartTime"] == datetime(2026, 11, 27, 0, 8, 23, tzinfo=timezone.utc)
    assert train["AttemptCount"] == 1
    assert train["Metadata"]["Job"] == {"Name": "retrain-train-56dc0954", "Namespace": "ml", "Arn": "ml/retrain-train-56dc0954"}
    assert train["CacheHitResult"] == {"SourcePipelineExecutionArn": "ml/older"}
    assert check["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert register["StepStatus"] == "Skipped" and register["Reason"] == "ConditionNotMet"
    assert fail["FailureReason"] == "MSE 9 is above 6"
    assert fail["Metadata"] == {"Fail": {"ErrorMessage": "MSE 9 is above 6"}}
    assert fail["Properties"] == {"mse": "9"}


def test_execution_parameters_from_status_then_spec():
    obj = execution("a", "2026-11-27T00:00:00Z", "Executing",
                    parameters=[{"name": "N", "value": "150", "source": "Override"},
                                {"name": "Eta", "value": "0.25", "source": "Default"}])
    assert shapes.execution_parameters(obj) == [
        {"Name": "N", "Value": "150", "Source": "Override"},
        {"Name": "Eta", "Value": "0.25", "Source": "Default"},
    ]
    pending = execution("b", "2026-11-27T00:00:00Z")
    pending["spec"]["parameters"] = [{"name": "N", "value": "7"}]
    assert shapes.execution_parameters(pending) == [{"Name": "N", "Value": "7", "Source": "Override"}]


def test_describe_pipeline_status_follows_the_ready_condition_of_this_generation():
    obj = {
        "metadata": {"name": "abalone", "namespace": "ml", "generation": 2, "creationTimestamp": "2026-11-27T00:00:00Z"},
        "spec": {"description": "d", "steps": [{"name": "A"}]},
        "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]},
    }
    assert shapes.describe_pipeline(obj)["PipelineStatus"] == "Pending"
    obj["status"] = {"observedGeneration": 2, "conditions": [{"type": "Ready", "status": "False", "message": "spec.steps[1]: cycle A -> B -> A"}]}
    d = shapes.describe_pipeline(obj)
    assert d["PipelineStatus"] == "Invalid"
    assert d["PipelineStatusReason"] == "spec.steps[1]: cycle A -> B -> A"
    assert d["PipelineDescription"] == "d"
    assert '"steps"' in d["PipelineDefinition"]


def _names(page):
    return [s["PipelineExecutionArn"].split("/")[1] for s in page["PipelineExecutionSummaries"]]


def test_page_executions_sorts_by_creation_time_and_pages_with_a_cursor():
    items = [
        execution("c", "2026-11-27T00:00:03Z", "Succeeded"),
        execution("a", "2026-11-27T00:00:01Z", "Failed", failureReason="boom"),
        execution("b2", "2026-11-27T00:00:02Z"),
        execution("b1", "2026-11-27T00:00:02Z", "Executing"),
    ]
    p1 = shapes.page_executions(items, max_results=2)
    assert _names(p1) == ["c", "b2"]
    p2 = shapes.page_executions(items, max_results=2, next_token=p1["NextToken"])
    assert _names(p2) == ["b1", "a"]
    assert "NextToken" not in p2
    assert p2["PipelineExecutionSummaries"][1]["PipelineExecutionFailureReason"] == "boom"
    # A run created between the calls goes on the first page, not into page two.
    newer = items + [execution("d", "2026-11-27T00:00:09Z")]
    assert _names(shapes.page_executions(newer, max_results=2, next_token=p1["NextToken"])) == ["b1", "a"]
    asc = shapes.page_executions(items, sort_order="Ascending", max_results=3)
    assert _names(asc) == ["a", "b1", "b2"]
    assert _names(shapes.page_executions(items, sort_order="Ascending", next_token=asc["NextToken"])) == ["c"]
    assert _names(shapes.page_executions(items, sort_by="PipelineExecutionArn", sort_order="Ascending")) == ["a", "b1", "b2", "c"]


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        ({"sort_order": "Down"}, "sort_order"),
        ({"sort_by": "Name"}, "sort_by"),
        ({"max_results": 0}, "max_results"),
        ({"max_results": 101}, "max_results"),
        ({"next_token": "garbage!"}, "next_token"),
    ],
)
def test_page_executions_rejects_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        shapes.page_executions([], **kwargs)


def test_a_token_does_not_continue_another_order():
    items = [execution(n, f"2026-11-27T00:00:0{i}Z") for i, n in enumerate("abc")]
    token = shapes.page_executions(items, max_results=1)["NextToken"]
    with pytest.raises(ValueError, match="Descending, not by CreationTime Ascending"):
        shapes.page_executions(items, sort_order="Ascending", next_token=token)
