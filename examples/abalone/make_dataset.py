"""Writes an Abalone-shaped data set (the UCI columns; rings grow with the
shell's size and weight, plus noise) for the demo, which has no internet to
fetch the original. Deterministic: the same seed gives the same file.

Usage: make_dataset.py OUT.csv [ROWS] [SEED]
"""
import csv
import random
import sys


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 4177
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sex", "length", "diameter", "height", "whole_weight", "shucked_weight",
                    "viscera_weight", "shell_weight", "rings"])
        for _ in range(rows):
            sex = rnd.choice("MFI")
            age = rnd.gammavariate(5.0, 2.0) + 1.0
            length = min(0.8, 0.1 + 0.45 * (1 - 2.718 ** (-age / 6)) + rnd.gauss(0, 0.03))
            diameter = length * 0.8 + rnd.gauss(0, 0.015)
            height = length * 0.25 + rnd.gauss(0, 0.01)
            whole = max(0.002, 2.6 * length ** 3 * (1.1 if sex != "I" else 0.9) + rnd.gauss(0, 0.04))
            shucked = whole * 0.43 + rnd.gauss(0, 0.02)
            viscera = whole * 0.22 + rnd.gauss(0, 0.01)
            # Shells thicken with age (the signal a model can learn).
            shell = whole * 0.25 + 0.012 * age + rnd.gauss(0, 0.012)
            rings = max(1, round(age + rnd.gauss(0, 1.7)))
            w.writerow([sex] + [f"{v:.4f}" for v in (length, diameter, height, whole, shucked, viscera, shell)]
                       + [rings])


if __name__ == "__main__":
    main()
