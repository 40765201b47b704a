"""Exceptions raised by the Sluice SDK.

Every failure is an exception carrying the message of whoever refused the
request: the Kubernetes API server (schema errors name the field), the
operator (``status.failureReason`` of a refused execution) or the
``kubectl-sluice`` CLI. Nothing fails silently.

Hierarchy::

    SluiceError
    ├── ApiError                        the API server refused a request
    │   └── NotFoundError               the object does not exist
    ├── ValidationError                 the operator refused a run before any Job existed
    │   ├── InvalidSelectiveExecutionError   reason InvalidSelectiveExecution
    │   ├── InvalidParametersError           reason InvalidParameters
    │   ├── PipelineInvalidError             reason PipelineInvalid (also from upsert())
    │   └── InvalidSpecError                 reason InvalidSpec
    ├── WaiterError                     wait() ended without success
    │   ├── ExecutionFailedError        the execution ended Failed
    │   ├── ExecutionStoppedError       the execution ended Stopped
    │   └── WaiterTimeoutError          still running when the wait ran out
    ├── NotAcknowledgedError            the operator did not pick up a new execution in time
    └── PlanError                       kubectl-sluice plan failed
        └── PlanUnavailableError        no kubectl-sluice binary was found
"""

from __future__ import annotations

import json
from typing import Any, Mapping

__all__ = [
    "SluiceError",
    "ApiError",
    "NotFoundError",
    "ValidationError",
    "InvalidSelectiveExecutionError",
    "InvalidParametersError",
    "PipelineInvalidError",
    "InvalidSpecError",
    "WaiterError",
    "ExecutionFailedError",
    "ExecutionStoppedError",
    "WaiterTimeoutError",
    "NotAcknowledgedError",
    "PlanError",
    "PlanUnavailableError",
    "validation_error_for",
]


class SluiceError(Exception):
    """Base class of every error the SDK raises (besides ``ValueError``/``TypeError``
    for arguments that are wrong before anything is sent)."""


class ApiError(SluiceError):
    """The Kubernetes API server refused a request.

    ``status`` is the HTTP status, ``reason`` the Kubernetes reason (e.g.
    ``Invalid``, ``Conflict``) and ``message`` the server's message, which for
    schema violations names the field (``spec.steps[0].name: ...``).
    """

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{message} (HTTP {status} {reason})")
        self.status = status
        self.reason = reason
        self.message = message

    @classmethod
    def from_api_exception(cls, exc: Any, what: str) -> "ApiError":
        """Translates a ``kubernetes.client.ApiException``; ``what`` says which
        object the request was about (``PipelineExecution ns/name``)."""
        status = int(getattr(exc, "status", 0) or 0)
        reason = str(getattr(exc, "reason", "") or "")
        message = ""
        body = getattr(exc, "body", None)
        if body:
            try:
                parsed = json.loads(body)
                message = str(parsed.get("message", ""))
                reason = str(parsed.get("reason", reason) or reason)
            except (ValueError, AttributeError):
                message = str(body)
        if not message:
            message = reason or "request failed"
        text = f"{what}: {message}"
        if status == 404:
            return NotFoundError(status, reason, text)
        return cls(status, reason, text)


class NotFoundError(ApiError):
    """The Pipeline or PipelineExecution does not exist (HTTP 404)."""


class ValidationError(SluiceError):
    """The operator refused an execution (or a Pipeline) before creating any Job.

    ``reason`` is the operator's reason (``InvalidSelectiveExecution``,
    ``InvalidParameters``, ``PipelineInvalid``, ``InvalidSpec``), ``message`` its
    ``failureReason`` verbatim (it names the missing steps, the unknown
    parameter, the field), and ``execution_arn`` the refused execution
    (``namespace/name``; empty for a Pipeline refused by ``upsert()``).
    """

    reason_code: str = ""

    def __init__(self, reason: str, message: str, execution_arn: str = "") -> None:
        where = f"{execution_arn}: " if execution_arn else ""
        super().__init__(f"{where}{reason}: {message}")
        self.reason = reason
        self.message = message
        self.execution_arn = execution_arn


class InvalidSelectiveExecutionError(ValidationError):
    """The selection is not connected, a needed step did not succeed in the
    source, the source is unusable, or a reused step is stale."""

    reason_code = "InvalidSelectiveExecution"


class InvalidParametersError(ValidationError):
    """An unknown parameter, or a value that does not match the parameter's type."""

    reason_code = "InvalidParameters"


class PipelineInvalidError(ValidationError):
    """The Pipeline itself is invalid (cycle, unknown reference, ...)."""

    reason_code = "PipelineInvalid"


class InvalidSpecError(ValidationError):
    """The PipelineExecution's spec does not parse."""

    reason_code = "InvalidSpec"


_BY_REASON: dict[str, type[ValidationError]] = {
    c.reason_code: c
    for c in (InvalidSelectiveExecutionError, InvalidParametersError, PipelineInvalidError, InvalidSpecError)
}

VALIDATION_REASONS = frozenset(_BY_REASON)


def validation_error_for(reason: str, message: str, execution_arn: str = "") -> ValidationError:
    """The ``ValidationError`` subclass for an operator reason."""
    return _BY_REASON.get(reason, ValidationError)(reason, message, execution_arn)


class WaiterError(SluiceError):
    """``PipelineExecution.wait()`` ended without the execution succeeding.

    ``last_response`` is the execution's last ``describe()``.
    """

    def __init__(self, message: str, last_response: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.last_response = dict(last_response)


class ExecutionFailedError(WaiterError):
    """The execution ended ``Failed``; the message is its ``failureReason``,
    ``reason`` the operator's reason (e.g. ``StepFailed``)."""

    reason: str = ""


class ExecutionStoppedError(WaiterError):
    """The execution ended ``Stopped`` (``stop()`` or ``spec.stop: true``)."""


class WaiterTimeoutError(WaiterError):
    """The execution was still running after ``delay * max_attempts`` seconds."""


class NotAcknowledgedError(SluiceError):
    """An execution was created but the operator did not start or refuse it in time.

    The execution exists (``execution_arn``); usually the operator is not running
    or does not watch that namespace.
    """

    def __init__(self, message: str, execution_arn: str) -> None:
        super().__init__(message)
        self.execution_arn = execution_arn


class PlanError(SluiceError):
    """``kubectl-sluice plan`` exited non-zero or printed something that is not JSON."""


class PlanUnavailableError(PlanError):
    """No ``kubectl-sluice`` binary: set ``SLUICE_KUBECTL_SLUICE`` or put it on PATH."""
