"""Pipeline's request building, manifest handling and plan()'s CLI contract,
without a cluster (the session's ApiClient is never used for a request here)."""

import json
import os
import stat
import sys
import textwrap

import pytest
from kubernetes import client as k8s
from kubernetes.client.rest import ApiException

from sluice import ApiError, NotFoundError, Pipeline, PlanError, PlanUnavailableError, SelectiveExecutionConfig, Session


@pytest.fixture
def pipeline():
    return Pipeline("abalone", "ml", session=Session(api_client=k8s.ApiClient()))


def test_execution_body(pipeline):
    body = pipeline._execution_body(
        {"XGBNumRounds": 200}, "retrain", "more rounds", {"MaxParallelExecutionSteps": 2},
        SelectiveExecutionConfig(["Train", "Evaluate"], "ml/first"), None,
    )
    assert body == {
        "apiVersion": "sluice.dev/v1alpha1",
        "kind": "PipelineExecution",
        "metadata": {
            "namespace": "ml",
            "generateName": "abalone-",
            "labels": {"sluice.dev/pipeline": "abalone"},
            "annotations": {"sluice.dev/display-name": "retrain", "sluice.dev/description": "more rounds"},
        },
        "spec": {
            "pipelineRef": {"name": "abalone"},
            "parameters": [{"name": "XGBNumRounds", "value": "200"}],
            "selectiveExecution": {"selectedSteps": ["Train", "Evaluate"], "sourceExecution": "first"},
            "maxParallelSteps": 2,
        },
    }


def test_manifest_accepts_yaml_a_spec_or_a_file(pipeline, tmp_path):
    yaml_text = textwrap.dedent("""\
        apiVersion: sluice.dev/v1alpha1
        kind: Pipeline
        metadata: {name: abalone}
        spec:
          steps: [{name: A, container: {image: a:1}}]
        """)
    m = pipeline._manifest(yaml_text)
    assert m["metadata"] == {"name": "abalone", "namespace": "ml"}
    assert m["spec"]["steps"][0]["name"] == "A"
    assert pipeline._manifest({"steps": [{"name": "B"}]})["spec"] == {"steps": [{"name": "B"}]}
    f = tmp_path / "p.yaml"
    f.write_text(yaml_text)
    assert pipeline._manifest(str(f)) == m
    assert pipeline._manifest(f) == m


@pytest.mark.parametrize(
    "definition,needle",
    [
        ({"kind": "Job", "spec": {}}, "definition.kind: expected Pipeline"),
        ({"metadata": {"name": "other"}, "spec": {"steps": []}}, "definition.metadata.name: 'other'"),
        ({"metadata": {"namespace": "x"}, "spec": {"steps": []}}, "definition.metadata.namespace: 'x'"),
        ({"metadata": {}}, "definition.spec: missing"),
        ("a: 1\n---\nb: 2\n", "expected one YAML document, got 2"),
    ],
)
def test_manifest_errors_name_the_field(pipeline, definition, needle):
    with pytest.raises(ValueError, match=needle):
        pipeline._manifest(definition)


def test_api_exceptions_carry_the_servers_message():
    exc = ApiException(status=422, reason="Unprocessable Entity")
    exc.body = json.dumps({"kind": "Status", "reason": "Invalid",
                           "message": 'spec.steps[0].name: Invalid value: "a b": must match [A-Za-z0-9_-]'})
    err = ApiError.from_api_exception(exc, "creating Pipeline ml/abalone")
    assert err.status == 422 and err.reason == "Invalid"
    assert str(err).startswith('creating Pipeline ml/abalone: spec.steps[0].name: Invalid value: "a b"')
    missing = ApiException(status=404, reason="Not Found")
    missing.body = json.dumps({"reason": "NotFound", "message": 'pipelines.sluice.dev "abalone" not found'})
    assert isinstance(ApiError.from_api_exception(missing, "Pipeline ml/abalone"), NotFoundError)


def test_build_parameters_rejects_unknown_overrides(pipeline, monkeypatch):
    from sluice import PipelineExecution

    monkeypatch.setattr(PipelineExecution, "list_parameters", lambda self: {
        "PipelineParameters": [{"Name": "XGBNumRounds", "Value": "150", "Source": "Override"}]})
    assert pipeline.build_parameters_from_execution("ml/first", {"XGBNumRounds": 300}) == {"XGBNumRounds": "300"}
    with pytest.raises(ValueError, match="parameter_value_overrides: Nope not present in the pipeline execution ml/first"):
        pipeline.build_parameters_from_execution("ml/first", {"Nope": 1})


def test_plan_without_the_cli_says_how_to_get_it(pipeline, monkeypatch):
    monkeypatch.delenv("SLUICE_KUBECTL_SLUICE", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PlanUnavailableError, match="put it on PATH or set SLUICE_KUBECTL_SLUICE"):
        pipeline.plan()


def _script(tmp_path, body):
    path = tmp_path / "kubectl-sluice"
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_plan_passes_start_arguments_as_cli_flags_and_parses_json(pipeline, tmp_path, monkeypatch):
    # A stand-in CLI that prints the argv it was given: this checks the SDK's
    # side of the contract (flags of issue 11's `plan`), not the planner.
    cli = _script(tmp_path, "import json, sys\nprint(json.dumps({'argv': sys.argv[1:]}))\n")
    monkeypatch.setenv("SLUICE_KUBECTL_SLUICE", cli)
    monkeypatch.delenv("KUBECONFIG", raising=False)
    out = pipeline.plan({"XGBNumRounds": 200}, SelectiveExecutionConfig(["Train", "Evaluate"], "ml/first", allow_stale_reuse=True))
    assert out["argv"] == ["plan", "abalone", "-n", "ml", "-o", "json", "-p", "XGBNumRounds=200",
                           "--from", "first", "--steps", "Train,Evaluate", "--allow-stale-reuse"]
    out = pipeline.plan(selective_execution_config=SelectiveExecutionConfig.from_failure_of(), parallelism_config=2)
    assert out["argv"][-3:] == ["--from-failure", "--max-parallel", "2"]


def test_plan_failure_carries_the_clis_message(pipeline, tmp_path):
    cli = _script(tmp_path, "import sys\nsys.stderr.write('error: unknown step Trian\\n')\nsys.exit(1)\n")
    with pytest.raises(PlanError, match="failed \\(exit 1\\): error: unknown step Trian"):
        pipeline.plan(kubectl_sluice=cli)
    refused = _script(tmp_path, "import json, sys\nprint(json.dumps({'kind': 'PlanPreview', 'verdict': {'accepted': False}}))\nsys.exit(1)\n")
    assert pipeline.plan(kubectl_sluice=refused)["verdict"] == {"accepted": False}, "a refusal is a preview"
    crashed = _script(tmp_path, "import json, sys\nprint(json.dumps({'kind': 'PlanPreview'}))\nsys.exit(5)\n")
    with pytest.raises(PlanError, match="exit 5"):
        pipeline.plan(kubectl_sluice=crashed)
    notjson = _script(tmp_path, "print('STEP PHASE')\n")
    with pytest.raises(PlanError, match="not JSON"):
        pipeline.plan(kubectl_sluice=notjson)
