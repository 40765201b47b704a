"""Run configuration objects, named and ordered as in the SageMaker Python SDK."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ._shapes import parse_execution_arn

__all__ = ["SelectiveExecutionConfig", "ParallelismConfiguration"]


@dataclass
class SelectiveExecutionConfig:
    """Which steps a selective execution re-runs, and where the others come from.

    The positional order is SageMaker's:
    ``SelectiveExecutionConfig(selected_steps, source_pipeline_execution_arn=None,
    reference_latest_execution=True)``.

    Args:
        selected_steps: exactly these steps run (``spec.selectiveExecution.selectedSteps``).
            Every step on a path between two selected steps must be selected too,
            otherwise the operator refuses the run naming the missing steps.
        source_pipeline_execution_arn: the execution whose outputs are reused
            (``sourceExecution``): ``"namespace/name"``, a bare ``"name"``, or a
            SageMaker-style ARN ``arn:...:pipeline/PIPELINE/execution/NAME`` whose
            last segment is used.
        reference_latest_execution: with no source given, reuse the newest
            execution of the pipeline that Succeeded, Failed or Stopped (the
            operator resolves it; ``sourceExecution`` is omitted). Sluice always
            reuses from some source, so ``False`` requires a source.
        from_steps: Sluice extension: these steps and everything downstream run
            (``fromSteps``). Give it instead of ``selected_steps``.
        from_failure: Sluice extension: every step that did not succeed in the
            source, and everything downstream, runs (``fromFailure: true``).
        allow_stale_reuse: Sluice extension: accept reusing a step whose consumed
            parameters or definition changed since the source ran.

    Exactly one of ``selected_steps``, ``from_steps`` and ``from_failure`` must be
    given. Use :meth:`from_steps_of` / :meth:`from_failure_of` for the extensions.
    """

    selected_steps: Sequence[str] | None = None
    source_pipeline_execution_arn: str | None = None
    reference_latest_execution: bool = True
    from_steps: Sequence[str] | None = None
    from_failure: bool = False
    allow_stale_reuse: bool = False

    @classmethod
    def from_steps_of(
        cls,
        steps: Sequence[str],
        source_pipeline_execution_arn: str | None = None,
        *,
        allow_stale_reuse: bool = False,
    ) -> "SelectiveExecutionConfig":
        """Re-run ``steps`` and everything downstream of them."""
        return cls(
            None,
            source_pipeline_execution_arn,
            from_steps=list(steps),
            allow_stale_reuse=allow_stale_reuse,
        )

    @classmethod
    def from_failure_of(
        cls,
        source_pipeline_execution_arn: str | None = None,
        *,
        allow_stale_reuse: bool = False,
    ) -> "SelectiveExecutionConfig":
        """Re-run what failed or was stopped in the source, and everything downstream."""
        return cls(
            None,
            source_pipeline_execution_arn,
            from_failure=True,
            allow_stale_reuse=allow_stale_reuse,
        )

    def to_spec(self, namespace: str | None = None) -> dict[str, Any]:
        """The ``spec.selectiveExecution`` object for a run in ``namespace``.

        Raises ``ValueError`` naming the argument when the configuration is not
        well-formed, or when the source ARN names another namespace (a source is
        always in the execution's own namespace)."""
        modes = [
            name
            for name, given in (
                ("selected_steps", self.selected_steps is not None),
                ("from_steps", self.from_steps is not None),
                ("from_failure", bool(self.from_failure)),
            )
            if given
        ]
        if len(modes) != 1:
            raise ValueError(
                "SelectiveExecutionConfig needs exactly one of selected_steps, from_steps and "
                f"from_failure=True (got {', '.join(modes) if modes else 'none'})"
            )
        spec: dict[str, Any] = {}
        for arg, key, steps in (
            ("selected_steps", "selectedSteps", self.selected_steps),
            ("from_steps", "fromSteps", self.from_steps),
        ):
            if steps is None:
                continue
            if isinstance(steps, str):
                raise TypeError(f"SelectiveExecutionConfig.{arg} must be a list of step names, not a string")
            names = list(steps)
            if not names:
                raise ValueError(f"SelectiveExecutionConfig.{arg} must name at least one step")
            for n in names:
                if not isinstance(n, str) or not n:
                    raise ValueError(f"SelectiveExecutionConfig.{arg}: {n!r} is not a step name")
            spec[key] = names
        if self.from_failure:
            spec["fromFailure"] = True
        if self.source_pipeline_execution_arn:
            src_ns, src_name = parse_execution_arn(self.source_pipeline_execution_arn, namespace)
            if namespace is not None and src_ns != namespace:
                raise ValueError(
                    f"SelectiveExecutionConfig.source_pipeline_execution_arn: {self.source_pipeline_execution_arn!r} "
                    f"is in namespace {src_ns!r}, but the run is in {namespace!r}; a source must be in the same namespace"
                )
            spec["sourceExecution"] = src_name
        elif not self.reference_latest_execution:
            raise ValueError(
                "SelectiveExecutionConfig: reference_latest_execution=False needs "
                "source_pipeline_execution_arn (Sluice always reuses from a source execution)"
            )
        if self.allow_stale_reuse:
            spec["allowStaleReuse"] = True
        return spec


@dataclass
class ParallelismConfiguration:
    """``ParallelismConfiguration(max_parallel_execution_steps)`` as in SageMaker:
    at most this many container steps run at once (``spec.maxParallelSteps``)."""

    max_parallel_execution_steps: int = field(default=1)

    def to_request(self) -> dict[str, int]:
        return {"MaxParallelExecutionSteps": self.max_parallel_execution_steps}


def max_parallel_steps(config: ParallelismConfiguration | Mapping[str, Any] | int | None) -> int | None:
    """``spec.maxParallelSteps`` from a ParallelismConfiguration, SageMaker's request
    dict ``{"MaxParallelExecutionSteps": N}``, or a plain int."""
    if config is None:
        return None
    if isinstance(config, ParallelismConfiguration):
        n: Any = config.max_parallel_execution_steps
    elif isinstance(config, Mapping):
        if "MaxParallelExecutionSteps" not in config:
            raise ValueError("parallelism_config: expected a MaxParallelExecutionSteps key")
        n = config["MaxParallelExecutionSteps"]
    else:
        n = config
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
        raise ValueError(f"parallelism_config: MaxParallelExecutionSteps must be an integer from 1 to 1000, got {n!r}")
    return n
