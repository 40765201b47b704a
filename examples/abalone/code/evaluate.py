"""Evaluate: the model's mean squared error on the test set, written as
SageMaker's Abalone example writes it (regression_metrics.mse.value).

Usage: evaluate.py --model DIR --test DIR --out DIR
"""
import argparse
import json
import os

import numpy as np
import xgboost as xgb
from sklearn.metrics import mean_squared_error


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    booster = xgb.Booster()
    booster.load_model(os.path.join(a.model, "xgboost-model.json"))
    data = np.loadtxt(os.path.join(a.test, "test.csv"), delimiter=",", ndmin=2)
    predictions = booster.predict(xgb.DMatrix(data[:, 1:]))
    mse = float(mean_squared_error(data[:, 0], predictions))
    std = float(np.std(data[:, 0] - predictions))
    os.makedirs(a.out, exist_ok=True)
    report = {"regression_metrics": {"mse": {"value": round(mse, 4), "standard_deviation": round(std, 4)}}}
    with open(os.path.join(a.out, "evaluation.json"), "w") as f:
        json.dump(report, f)
    print(f"evaluate: mse {mse:.4f} on {len(data)} rows")


if __name__ == "__main__":
    main()
