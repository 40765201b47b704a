"""``Pipeline``: SageMaker's ``Pipeline`` calls against a Sluice Pipeline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from typing import Any, Mapping

import yaml

from . import _shapes as shapes
from ._kube import Session, default_session, kubeconfig_path
from .config import ParallelismConfiguration, SelectiveExecutionConfig, max_parallel_steps
from .errors import ApiError, PipelineInvalidError, PlanError, PlanUnavailableError
from .execution import PipelineExecution

__all__ = ["Pipeline", "KUBECTL_SLUICE_ENV"]

KUBECTL_SLUICE_ENV = "SLUICE_KUBECTL_SLUICE"


class Pipeline:
    """A ``Pipeline`` object (``sluice.dev/v1alpha1``) in a namespace.

    Args:
        name: the Pipeline's ``metadata.name``.
        namespace: its namespace (default: the session's, i.e. the kubeconfig
            context's namespace, else ``default``).
        session: how to reach the cluster; see :class:`sluice.Session`.
    """

    def __init__(self, name: str, namespace: str | None = None, *, session: Session | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"Pipeline name must be a non-empty string, got {name!r}")
        self.name = name
        self.session = session or default_session()
        self.namespace = namespace or self.session.default_namespace

    @property
    def arn(self) -> str:
        """``namespace/name``."""
        return shapes.arn(self.namespace, self.name)

    def __repr__(self) -> str:
        return f"Pipeline(name={self.name!r}, namespace={self.namespace!r})"

    # ---- the Pipeline object ------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """DescribePipeline: PipelineArn, PipelineName, PipelineDefinition (the spec
        as JSON), PipelineStatus (Active, Invalid, Pending), PipelineStatusReason,
        CreationTime, LastModifiedTime, ParallelismConfiguration."""
        return shapes.describe_pipeline(self.session.get(shapes.PIPELINES, self.namespace, self.name))

    def upsert(
        self, definition: str | os.PathLike[str] | Mapping[str, Any], *, validate: bool = True, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Creates the Pipeline or replaces its spec, and returns ``describe()``.

        Args:
            definition: a ``Pipeline`` manifest or just its ``spec``, as a dict, a
                YAML/JSON string, or the path of a YAML/JSON file.
            validate: wait until the operator validated this generation, and raise
                :class:`PipelineInvalidError` (every problem with its field path) if
                it is invalid. The API server's schema errors raise
                :class:`ApiError` whatever this says.
            timeout: how long to wait for the operator's verdict, in seconds;
                without one by then, the result says ``PipelineStatus: Pending``.
        """
        body = self._manifest(definition)
        for _ in range(5):
            try:
                obj = self.session.create(shapes.PIPELINES, self.namespace, body)
                break
            except ApiError as e:
                if e.status != 409:
                    raise
            current = self.session.get(shapes.PIPELINES, self.namespace, self.name)
            body["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            try:
                obj = self.session.replace(shapes.PIPELINES, self.namespace, self.name, body)
                break
            except ApiError as e:
                if e.status != 409:
                    raise
            body["metadata"].pop("resourceVersion", None)
        else:
            raise ApiError(409, "Conflict", f"Pipeline {self.arn}: kept changing while it was being updated")
        if not validate:
            return shapes.describe_pipeline(obj)
        gen = obj["metadata"].get("generation", 1)
        deadline = time.monotonic() + timeout
        for cur in self.session.watch_object(
            shapes.PIPELINES, self.namespace, self.name, deadline=deadline, chunk_seconds=max(1, int(timeout))
        ):
            if cur is None:
                raise ApiError(404, "NotFound", f"Pipeline {self.arn} was deleted while waiting for its validation")
            if (cur.get("status") or {}).get("observedGeneration", 0) < gen:
                continue
            d = shapes.describe_pipeline(cur)
            if d["PipelineStatus"] == "Invalid":
                raise PipelineInvalidError("PipelineInvalid", d.get("PipelineStatusReason", ""), "")
            if d["PipelineStatus"] == "Active":
                return d
        return self.describe()

    def _manifest(self, definition: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(definition, os.PathLike) or (
            isinstance(definition, str) and "\n" not in definition and os.path.isfile(definition)
        ):
            with open(definition) as f:
                definition = f.read()
        if isinstance(definition, str):
            docs = [d for d in yaml.safe_load_all(definition) if d is not None]
            if len(docs) != 1:
                raise ValueError(f"definition: expected one YAML document, got {len(docs)}")
            definition = docs[0]
        if not isinstance(definition, Mapping):
            raise TypeError(f"definition must be a dict, YAML text or a file path, got {type(definition).__name__}")
        d = json.loads(json.dumps(definition))  # a deep, JSON-clean copy
        if "spec" not in d and "steps" in d:
            d = {"spec": d}
        if d.get("kind", "Pipeline") != "Pipeline":
            raise ValueError(f"definition.kind: expected Pipeline, got {d.get('kind')!r}")
        if d.get("apiVersion", shapes.API_VERSION) != shapes.API_VERSION:
            raise ValueError(f"definition.apiVersion: expected {shapes.API_VERSION}, got {d.get('apiVersion')!r}")
        meta = d.setdefault("metadata", {}) or {}
        if meta.get("name", self.name) != self.name:
            raise ValueError(f"definition.metadata.name: {meta['name']!r} is not this pipeline's name {self.name!r}")
        if meta.get("namespace", self.namespace) != self.namespace:
            raise ValueError(
                f"definition.metadata.namespace: {meta['namespace']!r} is not this pipeline's namespace {self.namespace!r}"
            )
        if not isinstance(d.get("spec"), Mapping):
            raise ValueError("definition.spec: missing (a Pipeline needs spec.steps)")
        return {
            "apiVersion": shapes.API_VERSION,
            "kind": "Pipeline",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                **({"labels": meta["labels"]} if meta.get("labels") else {}),
                **({"annotations": meta["annotations"]} if meta.get("annotations") else {}),
            },
            "spec": d["spec"],
        }

    def delete(self) -> None:
        """DeletePipeline (its executions stay; delete them with kubectl)."""
        self.session.delete(shapes.PIPELINES, self.namespace, self.name)

    # ---- runs -----------------------------------------------------------------

    def start(
        self,
        parameters: Mapping[str, Any] | None = None,
        execution_display_name: str | None = None,
        execution_description: str | None = None,
        parallelism_config: ParallelismConfiguration | Mapping[str, Any] | int | None = None,
        selective_execution_config: SelectiveExecutionConfig | None = None,
        *,
        wait: bool = False,
        execution_name: str | None = None,
        acknowledge_timeout: float = 30.0,
    ) -> PipelineExecution:
        """StartPipelineExecution: creates a PipelineExecution of this Pipeline.

        The positional order is SageMaker's. The call returns once the operator
        has started the run, so a run it refuses raises here, with the
        operator's message, as SageMaker's start does:
        :class:`InvalidSelectiveExecutionError` (names the missing or stale
        steps), :class:`InvalidParametersError`, :class:`PipelineInvalidError`.
        The refused execution stays in the cluster as the record
        (``error.execution_arn``).

        Args:
            parameters: ``{name: value}``; values are sent as strings (booleans
                as ``true``/``false``) and checked by the operator against the
                parameter's type. Unset parameters take the source execution's
                value in a selective run, else the Pipeline default.
            execution_display_name: kept as annotation ``sluice.dev/display-name``.
            execution_description: kept as annotation ``sluice.dev/description``.
            parallelism_config: ``ParallelismConfiguration(n)``,
                ``{"MaxParallelExecutionSteps": n}`` or ``n``: ``spec.maxParallelSteps``.
            selective_execution_config: re-run only some steps (see
                :class:`SelectiveExecutionConfig`).
            wait: also wait for the end (``PipelineExecution.wait()``).
            execution_name: the execution's ``metadata.name`` (default: generated,
                ``PIPELINE-xxxxx``).
            acknowledge_timeout: seconds to wait for the operator to start or
                refuse the run (0: return right after creating it).

        Raises:
            NotFoundError: the Pipeline does not exist (nothing is created).
            ApiError: the API server refused the object (schema errors name the field).
            NotAcknowledgedError: the operator did not act within ``acknowledge_timeout``.
        """
        body = self._execution_body(
            parameters, execution_display_name, execution_description, parallelism_config,
            selective_execution_config, execution_name,
        )
        # A missing Pipeline is refused before anything is created.
        self.session.get(shapes.PIPELINES, self.namespace, self.name)
        obj = self.session.create(shapes.EXECUTIONS, self.namespace, body)
        execution = PipelineExecution(obj["metadata"]["name"], self.namespace, session=self.session)
        execution._last = obj
        if acknowledge_timeout > 0:
            execution._await_acknowledged(acknowledge_timeout)
        if wait:
            execution.wait()
        return execution

    def _execution_body(
        self,
        parameters: Mapping[str, Any] | None,
        display_name: str | None,
        description: str | None,
        parallelism_config: ParallelismConfiguration | Mapping[str, Any] | int | None,
        selective: SelectiveExecutionConfig | None,
        execution_name: str | None,
    ) -> dict[str, Any]:
        spec: dict[str, Any] = {"pipelineRef": {"name": self.name}}
        params = shapes.parameters_spec(parameters)
        if params:
            spec["parameters"] = params
        if selective is not None:
            if not isinstance(selective, SelectiveExecutionConfig):
                raise TypeError("selective_execution_config must be a SelectiveExecutionConfig")
            spec["selectiveExecution"] = selective.to_spec(self.namespace)
        n = max_parallel_steps(parallelism_config)
        if n is not None:
            spec["maxParallelSteps"] = n
        meta: dict[str, Any] = {"namespace": self.namespace}
        if execution_name:
            meta["name"] = execution_name
        else:
            meta["generateName"] = f"{self.name[:57]}-"
        if len(self.name) <= 63:
            meta["labels"] = {shapes.LABEL_PIPELINE: self.name}
        annotations = {}
        if display_name is not None:
            annotations[shapes.ANNOTATION_DISPLAY_NAME] = str(display_name)
        if description is not None:
            annotations[shapes.ANNOTATION_DESCRIPTION] = str(description)
        if annotations:
            meta["annotations"] = annotations
        return {"apiVersion": shapes.API_VERSION, "kind": "PipelineExecution", "metadata": meta, "spec": spec}

    def list_executions(
        self,
        sort_by: str = "CreationTime",
        sort_order: str = "Descending",
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """ListPipelineExecutions: ``{"PipelineExecutionSummaries": [...], "NextToken"?}``.

        Executions are those labelled ``sluice.dev/pipeline=NAME`` (the SDK sets it,
        the operator labels the others), sorted by CreationTime (ties by name) or
        by PipelineExecutionArn. ``max_results``: 1-100, default 50. NextToken is
        an opaque cursor naming the last execution returned (not the Kubernetes
        ``continue`` token, which cannot sort by time): executions created
        between calls do not shift the pages.
        """
        items, _ = self.session.list(
            shapes.EXECUTIONS, self.namespace, label_selector=f"{shapes.LABEL_PIPELINE}={self.name}"
        )
        items = [o for o in items if ((o.get("spec") or {}).get("pipelineRef") or {}).get("name") == self.name]
        return shapes.page_executions(items, sort_by, sort_order, max_results, next_token)

    def build_parameters_from_execution(
        self,
        pipeline_execution_arn: str | PipelineExecution,
        parameter_value_overrides: Mapping[str, Any] | None = None,
    ) -> dict[str, str]:
        """The effective parameters of an execution, updated with overrides (SageMaker's
        call): feed the result to ``start(parameters=...)``.

        Raises ``ValueError`` naming every override that is not a parameter of
        that execution."""
        ex = (
            pipeline_execution_arn
            if isinstance(pipeline_execution_arn, PipelineExecution)
            else PipelineExecution(pipeline_execution_arn, self.namespace, session=self.session)
        )
        params = {p["Name"]: p["Value"] for p in ex.list_parameters()["PipelineParameters"]}
        overrides = dict(parameter_value_overrides or {})
        unknown = sorted(set(overrides) - set(params))
        if unknown:
            raise ValueError(
                f"parameter_value_overrides: {', '.join(unknown)} not present in the pipeline execution {ex.arn} "
                f"(its parameters: {', '.join(sorted(params)) or 'none'})"
            )
        params.update({k: shapes.parameter_value(k, v) for k, v in overrides.items()})
        return params

    # ---- preview ----------------------------------------------------------------

    def plan(
        self,
        parameters: Mapping[str, Any] | None = None,
        selective_execution_config: SelectiveExecutionConfig | None = None,
        parallelism_config: ParallelismConfiguration | Mapping[str, Any] | int | None = None,
        *,
        kubectl_sluice: str | None = None,
        timeout: float = 60.0,
    ) -> Any:
        """What ``start()`` with these arguments would do, without creating anything:
        the output of ``kubectl-sluice plan ... -o json``, parsed. The CLI runs the
        operator's own planner; the SDK does not reimplement it.

        The result is the CLI's ``PlanPreview`` (``formatVersion`` 1): ``verdict``
        (``accepted``, ``phase``, ``reason``, ``message``: the operator's own
        messages), ``sourceExecution``, ``selectedSteps``, ``parameters[]`` and
        ``steps[]`` with each step's ``action`` (run, reuse, cacheHit, skip, fail)
        and ``producer``. A refused run is a preview with ``verdict.accepted``
        false, not an exception.

        The binary is ``kubectl_sluice``, else ``$SLUICE_KUBECTL_SLUICE``, else
        ``kubectl-sluice`` on PATH. Raises :class:`PlanUnavailableError` when there is
        none, :class:`PlanError` with the CLI's message when it fails.
        """
        binary = kubectl_sluice or os.environ.get(KUBECTL_SLUICE_ENV) or shutil.which("kubectl-sluice")
        if not binary or not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            raise PlanUnavailableError(
                "plan() needs the kubectl-sluice binary: put it on PATH or set "
                f"{KUBECTL_SLUICE_ENV}=/path/to/kubectl-sluice" + (f" ({binary!r} is not executable)" if binary else "")
            )
        argv = [binary, "plan", self.name, "-n", self.namespace, "-o", "json"]
        kc = kubeconfig_path(self.session)
        if kc:
            argv += ["--kubeconfig", kc]
        if self.session.context:
            argv += ["--context", self.session.context]
        for p in shapes.parameters_spec(parameters):
            argv += ["-p", f"{p['name']}={p['value']}"]
        if selective_execution_config is not None:
            se = selective_execution_config.to_spec(self.namespace)
            if se.get("sourceExecution"):
                argv += ["--from", se["sourceExecution"]]
            if se.get("selectedSteps"):
                argv += ["--steps", ",".join(se["selectedSteps"])]
            if se.get("fromSteps"):
                argv += ["--from-steps", ",".join(se["fromSteps"])]
            if se.get("fromFailure"):
                argv.append("--from-failure")
            if se.get("allowStaleReuse"):
                argv.append("--allow-stale-reuse")
        n = max_parallel_steps(parallelism_config)
        if n is not None:
            argv += ["--max-parallel", str(n)]
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise PlanError(f"kubectl-sluice plan did not finish within {timeout:.0f}s") from e
        preview: Any = None
        try:
            preview = json.loads(r.stdout) if r.stdout.strip() else None
        except ValueError:
            preview = None
        # Exit 1 with a PlanPreview is a refused run (verdict.accepted false):
        # that is the answer, not an error of the CLI.
        refused = r.returncode == 1 and isinstance(preview, dict) and preview.get("kind") == "PlanPreview"
        if r.returncode != 0 and not refused:
            msg = (r.stderr or r.stdout).strip() or f"exit code {r.returncode}"
            raise PlanError(f"kubectl-sluice plan {self.arn} failed (exit {r.returncode}): {msg}")
        if preview is None:
            raise PlanError(f"kubectl-sluice plan printed something that is not JSON: {r.stdout[:200]!r}")
        return preview
