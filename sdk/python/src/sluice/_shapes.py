"""Pure conversions between Sluice objects and SageMaker-shaped dicts.

No I/O here: every function takes the JSON of a Kubernetes object (as a dict)
and returns plain data, so the shapes are unit-tested without a cluster.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

GROUP = "sluice.dev"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
PIPELINES = "pipelines"
EXECUTIONS = "pipelineexecutions"
LABEL_PIPELINE = "sluice.dev/pipeline"
ANNOTATION_DISPLAY_NAME = "sluice.dev/display-name"
ANNOTATION_DESCRIPTION = "sluice.dev/description"

TERMINAL_PHASES = frozenset({"Succeeded", "Failed", "Stopped"})
# Phases in which the operator has acted on an execution (started or refused it).
ACKNOWLEDGED_PHASES = frozenset({"Executing", "Stopping"}) | TERMINAL_PHASES

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def parse_execution_arn(arn: str, default_namespace: str | None) -> tuple[str, str]:
    """``(namespace, name)`` of an execution "ARN".

    Accepted forms: ``"namespace/name"``, ``"name"`` (in ``default_namespace``),
    and a SageMaker ARN ``arn:aws:sagemaker:REGION:ACCOUNT:pipeline/P/execution/ID``
    (or any ``arn:`` string), whose last ``/`` segment is the execution name and
    whose namespace is ``default_namespace``.
    """
    if not isinstance(arn, str) or not arn.strip():
        raise ValueError(f"execution ARN must be a non-empty string, got {arn!r}")
    arn = arn.strip()
    if arn.startswith("arn:"):
        ns, name = default_namespace, arn.rsplit("/", 1)[-1]
    elif "/" in arn:
        ns, _, name = arn.partition("/")
        if "/" in name:
            raise ValueError(f"execution ARN {arn!r}: expected 'namespace/name'")
    else:
        ns, name = default_namespace, arn
    if not ns:
        raise ValueError(f"execution ARN {arn!r}: no namespace given and no default namespace")
    for what, v in (("namespace", ns), ("name", name)):
        if not _NAME.match(v) or len(v) > 253:
            raise ValueError(f"execution ARN {arn!r}: {what} {v!r} is not a valid Kubernetes name")
    return ns, name


def arn(namespace: str, name: str) -> str:
    """The SDK's ARN of a Sluice object: ``namespace/name``."""
    return f"{namespace}/{name}"


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp from the API as an aware ``datetime`` (None when absent)."""
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parameter_value(name: str, value: Any) -> str:
    """A parameter value as the string Sluice stores (SageMaker formats with ``str()``;
    booleans become ``true``/``false``, the form Sluice's Boolean type parses)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"parameter {name!r}: value must be a str, int, float or bool, got {type(value).__name__}")


def parameters_spec(parameters: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """``spec.parameters`` from a SageMaker-style ``{name: value}`` dict."""
    if parameters is None:
        return []
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict of name -> value, got {type(parameters).__name__}")
    out = []
    for k, v in parameters.items():
        if not isinstance(k, str) or not k:
            raise ValueError(f"parameters: {k!r} is not a parameter name")
        out.append({"name": k, "value": parameter_value(k, v)})
    return out


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _status(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("status") or {}


def execution_phase(obj: Mapping[str, Any]) -> str:
    """``status.phase``, ``Pending`` until the operator has written one."""
    return str(_status(obj).get("phase") or "Pending")


def condition(obj: Mapping[str, Any], ctype: str) -> Mapping[str, Any] | None:
    for c in _status(obj).get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return None


def execution_reason(obj: Mapping[str, Any]) -> str:
    """The reason of the ``Succeeded`` (else ``Ready``) condition, e.g. InvalidParameters."""
    c = condition(obj, "Succeeded") or condition(obj, "Ready")
    return str(c.get("reason", "")) if c else ""


def last_modified(obj: Mapping[str, Any]) -> datetime | None:
    """The newest write to the object (its managedFields times), else its creation."""
    parsed = (parse_time(m.get("time")) for m in _meta(obj).get("managedFields") or [])
    times = [t for t in parsed if t is not None]
    return max(times) if times else parse_time(_meta(obj).get("creationTimestamp"))


def _display_name(obj: Mapping[str, Any]) -> str:
    ann = _meta(obj).get("annotations") or {}
    return str(ann.get(ANNOTATION_DISPLAY_NAME) or _meta(obj).get("name", ""))


def _description(obj: Mapping[str, Any]) -> str | None:
    ann = _meta(obj).get("annotations") or {}
    d = ann.get(ANNOTATION_DESCRIPTION)
    return str(d) if d is not None else None


def _put(d: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "" and value != [] and value != {}:
        d[key] = value


def execution_summary(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of ``PipelineExecutionSummaries`` (ListPipelineExecutions)."""
    m = _meta(obj)
    s: dict[str, Any] = {
        "PipelineExecutionArn": arn(m.get("namespace", ""), m.get("name", "")),
        "StartTime": parse_time(m.get("creationTimestamp")),
        "PipelineExecutionStatus": execution_phase(obj),
        "PipelineExecutionDisplayName": _display_name(obj),
    }
    _put(s, "PipelineExecutionDescription", _description(obj))
    _put(s, "PipelineExecutionFailureReason", _status(obj).get("failureReason"))
    return s


def selective_config_of(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """``SelectiveExecutionConfig`` of DescribePipelineExecution: the resolved
    selection in status when the operator wrote it, else the requested one."""
    ns = _meta(obj).get("namespace", "")
    resolved = _status(obj).get("selectiveExecution")
    requested = (obj.get("spec") or {}).get("selectiveExecution")
    if not resolved and not requested:
        return None
    out: dict[str, Any] = {}
    src = (resolved or {}).get("sourceExecution") or (requested or {}).get("sourceExecution")
    if src:
        out["SourcePipelineExecutionArn"] = arn(ns, src)
    steps = (resolved or {}).get("selectedSteps")
    if steps is None and requested:
        steps = requested.get("selectedSteps") or requested.get("fromSteps")
    if steps is not None:
        out["SelectedSteps"] = [{"StepName": n} for n in steps]
    if requested:
        if requested.get("fromSteps"):
            out["FromSteps"] = [{"StepName": n} for n in requested["fromSteps"]]
        if requested.get("fromFailure"):
            out["FromFailure"] = True
        if requested.get("allowStaleReuse"):
            out["AllowStaleReuse"] = True
    return out


def describe_execution(obj: Mapping[str, Any]) -> dict[str, Any]:
    """DescribePipelineExecution's response for a PipelineExecution object."""
    m = _meta(obj)
    ns = m.get("namespace", "")
    spec = obj.get("spec") or {}
    st = _status(obj)
    d: dict[str, Any] = {
        "PipelineArn": arn(ns, (spec.get("pipelineRef") or {}).get("name", "")),
        "PipelineExecutionArn": arn(ns, m.get("name", "")),
        "PipelineExecutionDisplayName": _display_name(obj),
        "PipelineExecutionStatus": execution_phase(obj),
        "CreationTime": parse_time(m.get("creationTimestamp")),
        "LastModifiedTime": last_modified(obj),
    }
    _put(d, "PipelineExecutionDescription", _description(obj))
    _put(d, "FailureReason", st.get("failureReason"))
    _put(d, "FailureReasonCode", execution_reason(obj) if execution_phase(obj) == "Failed" else None)
    _put(d, "StartTime", parse_time(st.get("startTime")))
    _put(d, "EndTime", parse_time(st.get("endTime")))
    _put(d, "Progress", st.get("progress"))
    if spec.get("maxParallelSteps"):
        d["ParallelismConfiguration"] = {"MaxParallelExecutionSteps": spec["maxParallelSteps"]}
    _put(d, "SelectiveExecutionConfig", selective_config_of(obj))
    stale = condition(obj, "StaleReuse")
    if stale and stale.get("status") == "True":
        d["StaleReuseWarning"] = stale.get("message", "")
    return d


def execution_steps(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``PipelineExecutionSteps`` (ListPipelineExecutionSteps), in pipeline order.

    SageMaker keys: StepName, StartTime, EndTime, StepStatus, AttemptCount,
    FailureReason, Metadata (``Job``, ``Condition.Outcome``, ``Fail.ErrorMessage``),
    SelectiveExecutionResult.SourcePipelineExecutionArn, CacheHitResult.SourcePipelineExecutionArn.
    Sluice adds Reason (NotSelected, ConditionNotMet, ...), Outputs {name: uri}
    and Properties {name: value} when present. StepStatus is Sluice's step phase,
    which besides SageMaker's values can be Pending and Skipped.
    """
    ns = _meta(obj).get("namespace", "")
    st = _status(obj)
    fail_steps = {
        s.get("name")
        for s in ((st.get("pipelineSpec") or {}).get("steps") or [])
        if isinstance(s, Mapping) and "fail" in s
    }
    out = []
    for s in st.get("steps") or []:
        phase = str(s.get("phase") or "Pending")
        e: dict[str, Any] = {"StepName": s.get("name", "")}
        _put(e, "StartTime", parse_time(s.get("startTime")))
        _put(e, "EndTime", parse_time(s.get("endTime")))
        e["StepStatus"] = phase
        _put(e, "AttemptCount", s.get("attemptCount"))
        if phase == "Failed":
            _put(e, "FailureReason", s.get("message") or st.get("failureReason"))
        meta: dict[str, Any] = {}
        if s.get("jobName"):
            meta["Job"] = {"Name": s["jobName"], "Namespace": ns, "Arn": arn(ns, s["jobName"])}
        outcome = (s.get("condition") or {}).get("outcome")
        if outcome is not None:
            meta["Condition"] = {"Outcome": outcome}
        if s.get("name") in fail_steps and phase == "Failed":
            meta["Fail"] = {"ErrorMessage": s.get("message") or st.get("failureReason", "")}
        e["Metadata"] = meta
        reused = (s.get("reusedFrom") or {}).get("execution")
        if reused:
            e["SelectiveExecutionResult"] = {"SourcePipelineExecutionArn": arn(ns, reused)}
        hit = (s.get("cacheHit") or {}).get("execution")
        if hit:
            e["CacheHitResult"] = {"SourcePipelineExecutionArn": arn(ns, hit)}
        _put(e, "Reason", s.get("reason"))
        _put(e, "Outputs", {o.get("name"): o.get("uri") for o in s.get("outputs") or []})
        _put(e, "Properties", {p.get("name"): p.get("value") for p in s.get("properties") or []})
        out.append(e)
    return out


def execution_parameters(obj: Mapping[str, Any]) -> list[dict[str, str]]:
    """``PipelineParameters`` (ListPipelineParametersForExecution): the effective
    value of every parameter; Sluice adds Source (Override, Reference or Default).
    Before the operator resolved them, the explicitly requested values."""
    st = _status(obj)
    if st.get("parameters"):
        return [
            {"Name": p.get("name", ""), "Value": p.get("value", ""), "Source": p.get("source", "")}
            for p in st["parameters"]
        ]
    return [
        {"Name": p.get("name", ""), "Value": p.get("value", ""), "Source": "Override"}
        for p in (obj.get("spec") or {}).get("parameters") or []
    ]


def describe_pipeline(obj: Mapping[str, Any]) -> dict[str, Any]:
    """DescribePipeline's response for a Pipeline object.

    PipelineDefinition is the spec as JSON (SageMaker's is a JSON string too).
    PipelineStatus is ``Active`` when the operator found it valid, ``Invalid``
    when not (PipelineStatusReason then lists every problem with its field path),
    ``Pending`` before the operator validated the current generation.
    """
    m = _meta(obj)
    ns, name = m.get("namespace", ""), m.get("name", "")
    spec = obj.get("spec") or {}
    st = _status(obj)
    ready = condition(obj, "Ready")
    gen = m.get("generation")
    if not ready or (gen is not None and (st.get("observedGeneration") or 0) < gen):
        status, reason = "Pending", None
    elif ready.get("status") == "True":
        status, reason = "Active", None
    else:
        status, reason = "Invalid", ready.get("message")
    d: dict[str, Any] = {
        "PipelineArn": arn(ns, name),
        "PipelineName": name,
        "PipelineDisplayName": name,
        "PipelineDefinition": json.dumps(spec, sort_keys=True),
        "PipelineStatus": status,
        "CreationTime": parse_time(m.get("creationTimestamp")),
        "LastModifiedTime": last_modified(obj),
    }
    _put(d, "PipelineDescription", spec.get("description"))
    _put(d, "PipelineStatusReason", reason)
    if spec.get("maxParallelSteps"):
        d["ParallelismConfiguration"] = {"MaxParallelExecutionSteps": spec["maxParallelSteps"]}
    return d


# ---- list_executions pagination ----------------------------------------------
#
# Kubernetes lists in key (name) order and its `continue` token cannot sort,
# so NextToken is the SDK's own cursor: base64url of JSON
# {"v": 1, "by": SORT_BY, "order": SORT_ORDER, "after": [CREATION_TIME, NAME]}
# naming the last summary returned. The next page is every execution strictly
# after it in the order, so executions created meanwhile neither shift nor
# repeat entries of later pages.

SORT_BY = ("CreationTime", "PipelineExecutionArn")
SORT_ORDER = ("Ascending", "Descending")


def _sort_key(obj: Mapping[str, Any], sort_by: str) -> tuple[str, str]:
    m = _meta(obj)
    name = str(m.get("name", ""))
    if sort_by == "PipelineExecutionArn":
        return (name, "")
    # RFC 3339 UTC timestamps of one format sort as strings; the name breaks ties.
    return (str(m.get("creationTimestamp", "")), name)


def encode_token(sort_by: str, sort_order: str, key: Sequence[str]) -> str:
    raw = json.dumps({"v": 1, "by": sort_by, "order": sort_order, "after": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str, sort_by: str, sort_order: str) -> tuple[str, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        key = data["after"]
        ok = data.get("v") == 1 and isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        ok = False
    if not ok:
        raise ValueError("next_token: not a token returned by list_executions")
    if data.get("by") != sort_by or data.get("order") != sort_order:
        raise ValueError(
            f"next_token: it continues a listing sorted by {data.get('by')} {data.get('order')}, "
            f"not by {sort_by} {sort_order}"
        )
    return key[0], key[1]


def page_executions(
    items: Iterable[Mapping[str, Any]],
    sort_by: str = "CreationTime",
    sort_order: str = "Descending",
    max_results: int | None = None,
    next_token: str | None = None,
) -> dict[str, Any]:
    """One page of ListPipelineExecutions over all of a pipeline's executions."""
    if sort_by not in SORT_BY:
        raise ValueError(f"sort_by must be one of {', '.join(SORT_BY)}, got {sort_by!r}")
    if sort_order not in SORT_ORDER:
        raise ValueError(f"sort_order must be one of {', '.join(SORT_ORDER)}, got {sort_order!r}")
    limit = 50 if max_results is None else max_results
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ValueError(f"max_results must be an integer from 1 to 100, got {max_results!r}")
    desc = sort_order == "Descending"
    ordered = sorted(items, key=lambda o: _sort_key(o, sort_by), reverse=desc)
    if next_token:
        after = decode_token(next_token, sort_by, sort_order)
        ordered = [o for o in ordered if (_sort_key(o, sort_by) < after if desc else _sort_key(o, sort_by) > after)]
    page = ordered[:limit]
    out: dict[str, Any] = {"PipelineExecutionSummaries": [execution_summary(o) for o in page]}
    if len(ordered) > limit:
        out["NextToken"] = encode_token(sort_by, sort_order, _sort_key(page[-1], sort_by))
    return out
