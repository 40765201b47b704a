"""Preprocess: reads the raw Abalone CSV, one-hot encodes Sex, and splits it
into train and test sets (label first, no header, as XGBoost's CSV input and
SageMaker's Abalone example expect).

Usage: preprocess.py --input DIR_OR_FILE --train DIR --test DIR [--seed N]
"""
import argparse
import csv
import os
import sys

import numpy as np

FEATURES = ["length", "diameter", "height", "whole_weight", "shucked_weight",
            "viscera_weight", "shell_weight"]


def read_rows(path):
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith(".csv"))
        if not names:
            sys.exit(f"preprocess: no .csv file in {path}")
        path = os.path.join(path, names[0])
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = {"sex", "rings", *FEATURES} - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"preprocess: {path} lacks columns {sorted(missing)}")
        return list(reader)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()

    rows = read_rows(a.input)
    sexes = ["M", "F", "I"]
    data = np.array([[float(r["rings"])] + [1.0 if r["sex"] == s else 0.0 for s in sexes]
                     + [float(r[c]) for c in FEATURES] for r in rows])
    rng = np.random.default_rng(a.seed)
    rng.shuffle(data)
    cut = int(len(data) * 0.8)
    for directory, part, name in ((a.train, data[:cut], "train.csv"), (a.test, data[cut:], "test.csv")):
        os.makedirs(directory, exist_ok=True)
        np.savetxt(os.path.join(directory, name), part, delimiter=",", fmt="%.6g")
    print(f"preprocess: {len(data)} rows -> {cut} train, {len(data) - cut} test")


if __name__ == "__main__":
    main()
