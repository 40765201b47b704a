"""``PipelineExecution``: one run of a Pipeline, with SageMaker's calls."""

from __future__ import annotations

import time
from typing import Any

from . import _shapes as shapes
from ._kube import Session, default_session
from .errors import (
    ExecutionFailedError,
    ExecutionStoppedError,
    NotAcknowledgedError,
    NotFoundError,
    VALIDATION_REASONS,
    WaiterTimeoutError,
    validation_error_for,
)

__all__ = ["PipelineExecution"]


class PipelineExecution:
    """A ``PipelineExecution`` object (``sluice.dev/v1alpha1``), SageMaker's
    ``_PipelineExecution``.

    Args:
        arn: ``"namespace/name"``, a bare name (in ``namespace`` or the session's
            default namespace) or a SageMaker-style ARN whose last segment is the name.
        namespace: the namespace when ``arn`` does not carry one.
        session: how to reach the cluster (default: kubeconfig, else in-cluster).
    """

    def __init__(self, arn: str, namespace: str | None = None, *, session: Session | None = None) -> None:
        self.session = session or default_session()
        self.namespace, self.name = shapes.parse_execution_arn(arn, namespace or self.session.default_namespace)
        self._last: dict[str, Any] | None = None

    @property
    def arn(self) -> str:
        """``namespace/name``."""
        return shapes.arn(self.namespace, self.name)

    def __repr__(self) -> str:
        return f"PipelineExecution(arn={self.arn!r})"

    def _get(self) -> dict[str, Any]:
        self._last = self.session.get(shapes.EXECUTIONS, self.namespace, self.name)
        return self._last

    def raw(self) -> dict[str, Any]:
        """The PipelineExecution object as the API server returns it."""
        return self._get()

    def describe(self) -> dict[str, Any]:
        """DescribePipelineExecution: PipelineArn, PipelineExecutionArn,
        PipelineExecutionDisplayName, PipelineExecutionStatus (Pending, Executing,
        Stopping, Stopped, Failed, Succeeded), FailureReason, CreationTime,
        LastModifiedTime, ParallelismConfiguration, SelectiveExecutionConfig
        (the resolved source and steps); Sluice adds FailureReasonCode (the
        operator's reason), StartTime, EndTime, Progress and StaleReuseWarning."""
        return shapes.describe_execution(self._get())

    def list_steps(self) -> list[dict[str, Any]]:
        """ListPipelineExecutionSteps' ``PipelineExecutionSteps``, in pipeline order
        (see the README's table for the keys)."""
        return shapes.execution_steps(self._get())

    def list_parameters(self, max_results: int | None = None, next_token: str | None = None) -> dict[str, Any]:
        """ListPipelineParametersForExecution: ``{"PipelineParameters": [{"Name",
        "Value", "Source"}], "NextToken"?}``; NextToken is the offset of the next page."""
        params = shapes.execution_parameters(self._get())
        start = 0
        if next_token:
            if not next_token.isdigit() or int(next_token) > len(params):
                raise ValueError("next_token: not a token returned by list_parameters")
            start = int(next_token)
        if max_results is not None and (isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1):
            raise ValueError(f"max_results must be a positive integer, got {max_results!r}")
        end = len(params) if max_results is None else min(len(params), start + max_results)
        out: dict[str, Any] = {"PipelineParameters": params[start:end]}
        if end < len(params):
            out["NextToken"] = str(end)
        return out

    def stop(self) -> dict[str, str]:
        """StopPipelineExecution: sets ``spec.stop: true``; the operator deletes the
        running Jobs and the execution ends Stopped (use ``wait()`` to see it)."""
        self.session.merge_patch(shapes.EXECUTIONS, self.namespace, self.name, {"spec": {"stop": True}})
        return {"PipelineExecutionArn": self.arn}

    def wait(self, delay: int = 30, max_attempts: int = 60) -> dict[str, Any]:
        """Waits until the execution ends and returns its ``describe()``.

        Unlike SageMaker's waiter this watches the object (no polling) and also
        ends on ``Stopped``. The wait lasts at most ``delay * max_attempts``
        seconds; ``delay`` is also the longest single watch request. A watch
        that expires (410 Gone) is resumed from a fresh list.

        Raises:
            ExecutionFailedError: the execution ended Failed; the message is its
                failureReason and ``.reason`` the operator's reason (StepFailed,
                InvalidSelectiveExecution, ...).
            ExecutionStoppedError: it ended Stopped.
            WaiterTimeoutError: it was still running when the wait ran out.
            NotFoundError: it was deleted, or never existed.
        """
        if delay < 1 or max_attempts < 1:
            raise ValueError(f"delay and max_attempts must be positive, got {delay}, {max_attempts}")
        return self._wait_terminal(float(delay) * max_attempts, chunk_seconds=int(delay))

    def _wait_terminal(
        self, timeout: float, *, chunk_seconds: int = 30, resource_version: str | None = None
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        obj: dict[str, Any] | None = self._last
        for obj in self.session.watch_object(
            shapes.EXECUTIONS, self.namespace, self.name,
            deadline=deadline, chunk_seconds=chunk_seconds, resource_version=resource_version,
        ):
            if obj is None:
                raise NotFoundError(404, "NotFound", f"PipelineExecution {self.arn} does not exist (or was deleted while waiting for it)")
            self._last = obj
            phase = shapes.execution_phase(obj)
            if phase in shapes.TERMINAL_PHASES:
                return self._terminal(obj)
        last = self._last or self._get()
        raise WaiterTimeoutError(
            f"PipelineExecution {self.arn} is still {shapes.execution_phase(last)} after {timeout:.0f}s",
            shapes.describe_execution(last),
        )

    def _terminal(self, obj: dict[str, Any]) -> dict[str, Any]:
        d = shapes.describe_execution(obj)
        phase = d["PipelineExecutionStatus"]
        if phase == "Succeeded":
            return d
        if phase == "Stopped":
            raise ExecutionStoppedError(f"PipelineExecution {self.arn} was stopped", d)
        reason = shapes.execution_reason(obj)
        message = d.get("FailureReason", "")
        err = ExecutionFailedError(f"PipelineExecution {self.arn} failed ({reason}): {message}", d)
        err.reason = reason
        raise err

    def _await_acknowledged(self, timeout: float) -> dict[str, Any]:
        """Waits until the operator started or refused this new execution; raises
        the ValidationError subclass of a refusal, NotAcknowledgedError on timeout."""
        deadline = time.monotonic() + timeout
        for obj in self.session.watch_object(
            shapes.EXECUTIONS, self.namespace, self.name, deadline=deadline, chunk_seconds=max(1, int(timeout))
        ):
            if obj is None:
                raise NotFoundError(404, "NotFound", f"PipelineExecution {self.arn} was deleted right after it was created")
            self._last = obj
            phase = shapes.execution_phase(obj)
            if phase == "Failed":
                reason = shapes.execution_reason(obj)
                if reason in VALIDATION_REASONS:
                    raise validation_error_for(reason, (obj.get("status") or {}).get("failureReason", ""), self.arn)
            if phase in shapes.ACKNOWLEDGED_PHASES:
                return obj
        last = self._last or {}
        why = shapes.condition(last, "Ready") or {}
        detail = f" (Ready: {why.get('reason')}: {why.get('message')})" if why.get("reason") else ""
        raise NotAcknowledgedError(
            f"PipelineExecution {self.arn} was created, but the operator has neither started nor refused it "
            f"within {timeout:.0f}s{detail}: is sluice-operator running and watching namespace {self.namespace}?",
            self.arn,
        )
