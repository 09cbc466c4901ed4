"""Calibrate the industry-inference confidence on the real-text development set.

Fits an isotonic regression of "the inferred 大类 is right" on the raw inference score over every
labelled row of ``datasets/dev`` (the registry rows need ``../shared/corpora/registry_sample``),
reports the 5-fold cross-validated calibration (expected calibration error of the out-of-fold
fit), and writes the knots to ``matcher/data/inference_calibration.csv``.

    .venv/bin/python tools/calibrate_inference.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import KFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from devset import load_devset  # noqa: E402
from eval_inference import agree, reliability  # noqa: E402

from matcher.text import infer_industry  # noqa: E402

OUT = ROOT / "matcher" / "data" / "inference_calibration.csv"


def main() -> None:
    dev = load_devset(declared=False)
    if not dev.registry_rows:
        raise SystemExit("../shared/corpora/registry_sample is needed to calibrate")
    truth = dict(zip(dev.labels["enterprise_id"], dev.labels["code"], strict=True))
    raw, right = [], []
    for r in dev.enterprises.itertuples(index=False):
        inf = infer_industry(r.business_scope, r.products, r.name)
        if inf.raw_code is None:
            continue
        raw.append(inf.raw_confidence)
        right.append(agree(truth[r.enterprise_id], inf.raw_code, 2))
    x, y = np.asarray(raw), np.asarray(right, dtype=float)
    oof = np.zeros_like(x)
    for train, test in KFold(5, shuffle=True, random_state=0).split(x):
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x[train], y[train])
        oof[test] = iso.predict(x[test])
    table, ece = reliability(oof, y.astype(bool))
    print(f"{len(x)} rows; out-of-fold ECE {ece:.3f}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
    knots = sorted(set(zip(iso.X_thresholds_.round(4), iso.y_thresholds_.round(4), strict=True)))
    lines = [
        "# Calibration of the industry-inference confidence: knots (raw score, P(大类 right)),",
        "# isotonic regression on the real-text development set (datasets/dev, hand labels);",
        "# written by tools/calibrate_inference.py.",
        "raw,probability",
        *(f"{a},{b}" for a, b in knots),
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(knots)} knots -> {OUT}")


if __name__ == "__main__":
    main()
