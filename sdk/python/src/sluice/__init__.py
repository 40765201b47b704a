"""Sluice Python SDK: SageMaker Pipelines' calls against Sluice (sluice.dev/v1alpha1).

>>> from sluice import Pipeline, SelectiveExecutionConfig
>>> pipeline = Pipeline("abalone", namespace="ml")
>>> first = pipeline.start(parameters={"XGBNumRounds": 150}, wait=True)
>>> rerun = pipeline.start(
...     parameters={"XGBNumRounds": 200},
...     selective_execution_config=SelectiveExecutionConfig(["Train", "Evaluate"], first.arn),
... )
>>> rerun.wait(); rerun.list_steps()
"""

from ._kube import Session
from .config import ParallelismConfiguration, SelectiveExecutionConfig
from .errors import (
    ApiError,
    ExecutionFailedError,
    ExecutionStoppedError,
    InvalidParametersError,
    InvalidSelectiveExecutionError,
    InvalidSpecError,
    NotAcknowledgedError,
    NotFoundError,
    PipelineInvalidError,
    PlanError,
    PlanUnavailableError,
    SluiceError,
    ValidationError,
    WaiterError,
    WaiterTimeoutError,
)
from .execution import PipelineExecution
from .pipeline import Pipeline

__version__ = "0.1.0"

__all__ = [
    "Pipeline",
    "PipelineExecution",
    "SelectiveExecutionConfig",
    "ParallelismConfiguration",
    "Session",
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
]
