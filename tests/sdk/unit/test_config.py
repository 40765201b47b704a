"""SelectiveExecutionConfig / ParallelismConfiguration -> spec, and argument errors."""

import pytest

from sluice import ParallelismConfiguration, SelectiveExecutionConfig
from sluice.config import max_parallel_steps


def test_positional_order_is_sagemakers():
    c = SelectiveExecutionConfig(["Train", "Evaluate"], "ml/abalone-x62pb")
    assert c.to_spec("ml") == {"selectedSteps": ["Train", "Evaluate"], "sourceExecution": "abalone-x62pb"}


def test_latest_execution_is_the_operators_default_source():
    assert SelectiveExecutionConfig(["Train"]).to_spec("ml") == {"selectedSteps": ["Train"]}
    with pytest.raises(ValueError, match="reference_latest_execution=False needs source_pipeline_execution_arn"):
        SelectiveExecutionConfig(["Train"], reference_latest_execution=False).to_spec("ml")


def test_sagemaker_arn_uses_its_execution_id():
    c = SelectiveExecutionConfig(["Train"], "arn:aws:sagemaker:us-east-1:1:pipeline/abalone/execution/abalone-x62pb")
    assert c.to_spec("ml")["sourceExecution"] == "abalone-x62pb"


def test_from_steps_and_from_failure():
    assert SelectiveExecutionConfig.from_steps_of(["Evaluate"], "src").to_spec("ml") == {
        "fromSteps": ["Evaluate"], "sourceExecution": "src"}
    assert SelectiveExecutionConfig.from_failure_of("src", allow_stale_reuse=True).to_spec("ml") == {
        "fromFailure": True, "sourceExecution": "src", "allowStaleReuse": True}


@pytest.mark.parametrize(
    "config,exc,needle",
    [
        (SelectiveExecutionConfig(), ValueError, "exactly one of .* \\(got none\\)"),
        (SelectiveExecutionConfig(["A"], from_failure=True), ValueError, "got selected_steps, from_failure"),
        (SelectiveExecutionConfig([]), ValueError, "selected_steps must name at least one step"),
        (SelectiveExecutionConfig("Train"), TypeError, "list of step names, not a string"),
        (SelectiveExecutionConfig(["A"], "other/src"), ValueError, "namespace 'other'.*same namespace"),
    ],
)
def test_bad_configs_name_the_argument(config, exc, needle):
    with pytest.raises(exc, match=needle):
        config.to_spec("ml")


def test_parallelism_config_forms():
    assert max_parallel_steps(ParallelismConfiguration(3)) == 3
    assert max_parallel_steps({"MaxParallelExecutionSteps": 2}) == 2
    assert max_parallel_steps(None) is None
    with pytest.raises(ValueError, match="MaxParallelExecutionSteps must be an integer from 1 to 1000, got 0"):
        max_parallel_steps(0)
    with pytest.raises(ValueError, match="expected a MaxParallelExecutionSteps key"):
        max_parallel_steps({"max": 2})
