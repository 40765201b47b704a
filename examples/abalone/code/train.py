"""Train: fits an XGBoost regressor of the rings on the training set and
saves it as JSON.

Usage: train.py --train DIR --model DIR --num-round N --eta E
"""
import argparse
import os

import numpy as np
import xgboost as xgb


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--num-round", type=int, required=True)
    p.add_argument("--eta", type=float, required=True)
    a = p.parse_args()

    data = np.loadtxt(os.path.join(a.train, "train.csv"), delimiter=",", ndmin=2)
    dtrain = xgb.DMatrix(data[:, 1:], label=data[:, 0])
    params = {"objective": "reg:squarederror", "eta": a.eta, "max_depth": 5,
              "subsample": 0.8, "seed": 7, "nthread": 1}
    booster = xgb.train(params, dtrain, num_boost_round=a.num_round)
    os.makedirs(a.model, exist_ok=True)
    booster.save_model(os.path.join(a.model, "xgboost-model.json"))
    print(f"train: {a.num_round} rounds, eta {a.eta}, {len(data)} rows")


if __name__ == "__main__":
    main()
