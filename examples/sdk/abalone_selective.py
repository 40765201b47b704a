# %% [markdown]
# # Selective execution from Python, SageMaker style
#
# The calls of SageMaker Pipelines' selective-execution notebook, against
# Sluice. Open this file as a notebook (VS Code and Jupytext read the `# %%`
# cells) or run it as a script:
#
#     pip install -e sdk/python
#     kubectl apply -f crds/            # and run sluice-operator
#     SLUICE_NAMESPACE=ml python examples/sdk/abalone_selective.py
#
# It uses the kubeconfig like kubectl does ($KUBECONFIG, else ~/.kube/config).
# The tests run it (tests/sdk/integration/test_example.py).

# %%
import os
from pathlib import Path

from sluice import Pipeline, PlanUnavailableError, SelectiveExecutionConfig

HERE = Path(__file__).resolve().parent
pipeline = Pipeline("abalone", namespace=os.environ.get("SLUICE_NAMESPACE"))
# SageMaker: pipeline.upsert(role_arn=...); here the definition is the Pipeline manifest.
print(pipeline.upsert(HERE.parent / "abalone" / "pipeline.yaml")["PipelineStatus"])


def show(execution):
    """The step table, like SageMaker's list_steps() rendered in a notebook."""
    print(f"{execution.arn}: {execution.describe()['PipelineExecutionStatus']}")
    for s in execution.list_steps():
        source = (s.get("SelectiveExecutionResult") or s.get("CacheHitResult") or {}).get("SourcePipelineExecutionArn", "-")
        job = s["Metadata"].get("Job", {}).get("Name", "-")
        print(f"  {s['StepName']:<11} {s['StepStatus']:<10} {job:<40} {source:<30} {s.get('Reason', '-')}")


# %% [markdown]
# ## 1. A full run

# %%
first = pipeline.start(parameters={"XGBNumRounds": 150}, execution_display_name="baseline")
first.wait(delay=5, max_attempts=60)
show(first)

# %% [markdown]
# ## 2. Re-run Train and Evaluate with more boosting rounds
#
# Preprocess is not recomputed: its outputs are linked from `first`.
# `build_parameters_from_execution` copies the first run's parameters.

# %%
parameters = pipeline.build_parameters_from_execution(first.arn, {"XGBNumRounds": 300})
config = SelectiveExecutionConfig(
    selected_steps=["Train", "Evaluate"],
    source_pipeline_execution_arn=first.arn,
)
try:
    # What the run would do, from the operator's own planner (kubectl-sluice plan).
    preview = pipeline.plan(parameters, config)
    verdict = preview["verdict"]
    print(f"plan: accepted={verdict['accepted']} ({verdict['reason']}) {verdict['message']}".rstrip())
    for s in preview["steps"]:
        print(f"  {s['name']:<11} {s['action']:<8} {s.get('producer') or ''}")
except PlanUnavailableError as e:
    print(f"(no preview: {e})")
rerun = pipeline.start(parameters=parameters, selective_execution_config=config, wait=True)
show(rerun)

# %% [markdown]
# ## 3. Parameters and history

# %%
for p in rerun.list_parameters()["PipelineParameters"]:
    print(f"  {p['Name']:<13} {p['Value']:<36} {p['Source']}")
for s in pipeline.list_executions(max_results=10)["PipelineExecutionSummaries"]:
    print(f"  {s['PipelineExecutionArn']:<40} {s['PipelineExecutionStatus']:<10} {s['StartTime']:%Y-%m-%d %H:%M:%S}")
