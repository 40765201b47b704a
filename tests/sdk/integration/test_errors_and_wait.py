"""Refused runs raise with the operator's message; wait() ends on Stopped and
survives 410 Gone."""

from __future__ import annotations

import logging
import threading
import time

import pytest

import sluice
from sluice import (
    ApiError,
    ExecutionStoppedError,
    InvalidParametersError,
    InvalidSelectiveExecutionError,
    NotFoundError,
    PipelineExecution,
    PipelineInvalidError,
    SelectiveExecutionConfig,
)
from conftest import holding


def test_a_disconnected_selection_raises_naming_the_missing_step(cluster, abalone):
    abalone.start(wait=True)
    with pytest.raises(InvalidSelectiveExecutionError) as err:
        abalone.start(selective_execution_config=SelectiveExecutionConfig(["Train", "MSECheck"]))
    e = err.value
    assert e.reason == "InvalidSelectiveExecution"
    assert "Evaluate" in e.message, e.message
    # The refused run is kept as the record, Failed before any Job existed.
    refused = PipelineExecution(e.execution_arn, session=cluster.session)
    d = refused.describe()
    assert d["PipelineExecutionStatus"] == "Failed"
    assert d["FailureReason"] == e.message
    assert d["FailureReasonCode"] == "InvalidSelectiveExecution"
    assert cluster.kubelet.steps_run_by(refused.name) == []


def test_a_missing_source_raises_naming_it(cluster, abalone):
    abalone.start(wait=True)
    with pytest.raises(InvalidSelectiveExecutionError, match="no-such-run"):
        abalone.start(selective_execution_config=SelectiveExecutionConfig(["Train"], "no-such-run"))


@pytest.mark.parametrize("params,needle", [({"Nope": 1}, "Nope"), ({"XGBNumRounds": "many"}, "XGBNumRounds")])
def test_invalid_parameters_raise_with_the_operators_message(cluster, abalone, params, needle):
    with pytest.raises(InvalidParametersError, match=needle) as err:
        abalone.start(parameters=params)
    assert err.value.message.startswith("invalid parameters: ")


def test_starting_a_missing_pipeline_creates_nothing(cluster):
    with pytest.raises(NotFoundError, match=f"Pipeline {cluster.namespace}/ghost"):
        cluster.pipeline("ghost").start()
    assert cluster.pipeline("ghost").list_executions()["PipelineExecutionSummaries"] == []


def test_upsert_reports_schema_and_operator_validation_errors(cluster):
    bad_name = cluster.pipeline("badname")
    with pytest.raises(ApiError, match="spec.steps") as err:
        bad_name.upsert({"steps": [{"name": "has space", "container": {"image": "a:1"}}]})
    assert err.value.status == 422
    cyclic = cluster.pipeline("cyclic")
    with pytest.raises(PipelineInvalidError, match="A -> B -> A"):
        cyclic.upsert({"steps": [
            {"name": "A", "container": {"image": "registry.example/a:1"}, "dependsOn": ["B"]},
            {"name": "B", "container": {"image": "registry.example/b:1"}, "dependsOn": ["A"]},
        ]})
    assert cyclic.describe()["PipelineStatus"] == "Invalid"


def _wait_for_step(execution, step, phase, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = {x["StepName"]: x for x in execution.list_steps()}
        if s.get(step, {}).get("StepStatus") == phase:
            return
        time.sleep(0.1)
    raise AssertionError(f"{execution.arn}: step {step} never became {phase}: {execution.list_steps()}")


def test_wait_ends_on_stopped(cluster, abalone, script_holder):
    script_holder["script"] = holding("Train")
    run = abalone.start()
    _wait_for_step(run, "Train", "Executing")
    assert run.stop() == {"PipelineExecutionArn": run.arn}
    started = time.monotonic()
    with pytest.raises(ExecutionStoppedError, match="was stopped") as err:
        run.wait(delay=5, max_attempts=12)
    assert time.monotonic() - started < 30
    assert err.value.last_response["PipelineExecutionStatus"] == "Stopped"
    steps = {s["StepName"]: s for s in run.list_steps()}
    assert steps["Train"]["StepStatus"] == "Stopped"
    assert steps["Evaluate"]["StepStatus"] != "Succeeded"


def test_wait_times_out_while_running(cluster, abalone, script_holder):
    script_holder["script"] = holding("Train")
    run = abalone.start()
    with pytest.raises(sluice.WaiterTimeoutError, match="still Executing after 2s"):
        run.wait(delay=1, max_attempts=2)
    run.stop()


def test_wait_survives_410_gone(cluster, abalone, script_holder, caplog):
    # A watch from resourceVersion 1 is older than anything the API server
    # still has: it answers 410 Gone, as it does for a watch that expired on a
    # long-lived cluster. wait() must list again and keep watching.
    script_holder["script"] = holding("Train")
    run = abalone.start()
    _wait_for_step(run, "Train", "Executing")
    threading.Timer(1.0, cluster.kubelet.release, args=("Train",)).start()
    with caplog.at_level(logging.INFO, logger="sluice"):
        d = run._wait_terminal(60, chunk_seconds=10, resource_version="1")
    assert d["PipelineExecutionStatus"] == "Succeeded"
    assert any("410 Gone" in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]


def test_waiting_on_a_deleted_execution_raises(cluster, abalone, script_holder):
    script_holder["script"] = holding("Train")
    run = abalone.start()
    threading.Timer(1.0, cluster.session.delete, args=("pipelineexecutions", cluster.namespace, run.name)).start()
    with pytest.raises(NotFoundError, match="was deleted while waiting"):
        run.wait(delay=5, max_attempts=6)
