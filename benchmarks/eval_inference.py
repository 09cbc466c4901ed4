"""Industry inference on the real-text development set (see ``benchmarks/devset.py``).

    python benchmarks/eval_inference.py            # text alone (declared codes ignored)
    python benchmarks/eval_inference.py --errors   # also list the rows it gets wrong

Prints, over every labelled row with a scope: coverage at the abstention threshold; accuracy at
门类 / 大类 / 中类 / 小类 on the rows it does not abstain on (a code coarser than a level counts as
not reaching it); calibration of the confidence against "the 大类 is right" (a reliability table
over all rows with a best guess, and the expected calibration error, ECE).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from devset import load_devset

from matcher.reference import taxonomy
from matcher.text import infer_industry

BINS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def agree(truth: str, guess: str | None, level: int) -> bool:
    """True when ``guess`` reaches ``level`` and shares it with ``truth``."""
    if not isinstance(guess, str) or taxonomy.code_level(guess) < level:
        return False
    return taxonomy.ancestors(guess)[level - 1] == taxonomy.ancestors(truth)[level - 1]


def predictions(ents: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in ents.itertuples(index=False):
        inf = infer_industry(r.business_scope, r.products, r.name)
        raw = inf.raw_confidence if inf.raw_code is not None else -1.0
        rows.append((r.enterprise_id, inf.code, inf.raw_code, inf.confidence, inf.activity, raw))
    return pd.DataFrame(
        rows, columns=["enterprise_id", "code", "raw_code", "conf", "activity_p", "raw"]
    )


def reliability(conf: np.ndarray, right: np.ndarray) -> tuple[pd.DataFrame, float]:
    """Reliability table over confidence bins and the expected calibration error."""
    out = []
    ece = 0.0
    for lo, hi in itertools.pairwise(BINS):
        band = (conf >= lo) & (conf < hi)
        if not band.any():
            continue
        mean_conf, acc = float(conf[band].mean()), float(right[band].mean())
        ece += band.mean() * abs(mean_conf - acc)
        out.append((f"[{lo:.1f}, {min(hi, 1.0):.1f})", int(band.sum()), mean_conf, acc))
    return pd.DataFrame(out, columns=["confidence", "rows", "mean confidence", "大类 right"]), ece


def report(frame: pd.DataFrame, title: str) -> None:
    n = len(frame)
    kept = frame["code"].notna().to_numpy()
    print(f"\n## {title}: {n} rows")
    print(f"coverage (not abstained): {kept.mean():.1%} ({kept.sum()} rows)")
    for level, label in ((1, "门类"), (2, "大类"), (3, "中类"), (4, "小类")):
        hit = np.array(
            [agree(t, g, level) for t, g in zip(frame["truth"], frame["code"], strict=True)]
        )
        reach = np.array(
            [isinstance(g, str) and taxonomy.code_level(g) >= level for g in frame["code"]]
        )
        print(
            f"  {label}: accuracy {hit[kept].mean():.1%} of the rows it answers"
            f" ({reach.sum()} answered at this level or deeper: {hit[reach].mean():.1%} right)"
        )
    has = frame["raw_code"].notna().to_numpy()
    right = np.array(
        [agree(t, g, 2) for t, g in zip(frame["truth"], frame["raw_code"], strict=True)]
    )
    table, ece = reliability(frame["conf"].to_numpy()[has], right[has])
    print(f"calibration over {has.sum()} rows with a best guess: ECE {ece:.3f}")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    # the target: 大类 accuracy at a given coverage, best guesses ranked by confidence
    order = np.argsort(-frame["raw"].to_numpy(), kind="stable")
    curve = []
    for coverage in (0.8, 0.85, 0.9):
        k = round(coverage * n)
        curve.append(f"{coverage:.0%} → {right[order[:k]].mean():.1%}")
    print("大类 right among the most confident best guesses, by coverage: " + ", ".join(curve))
    conf = frame["conf"].to_numpy()
    at = [f"{t} → {(conf >= t).mean():.1%} at {right[conf >= t].mean():.1%}" for t in (0.6, 0.7)]
    print("other thresholds (coverage at 大类 accuracy): " + ", ".join(at))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the rows it gets wrong")
    args = parser.parse_args()
    dev = load_devset(declared=False)
    if not dev.registry_rows:
        print("note: ../shared/corpora/registry_sample is absent; modern rows only")
    pred = predictions(dev.enterprises)
    frame = dev.labels.rename(columns={"code": "truth"}).merge(pred, on="enterprise_id")
    frame = frame.merge(
        dev.enterprises[["enterprise_id", "name", "business_scope"]], on="enterprise_id"
    )
    report(frame, "all rows")
    for origin, part in frame.groupby("origin"):
        report(part, f"{origin} rows")
    if args.errors:
        wrong = frame[
            [not agree(t, g, 2) for t, g in zip(frame["truth"], frame["code"], strict=True)]
        ]
        wrong = wrong[wrong["code"].notna()]
        print("\n## wrong at 大类 (answered)")
        for r in wrong.itertuples():
            print(
                f"{r.enterprise_id} truth {r.truth} guess {r.code} ({r.conf:.2f}) {r.name} | {str(r.business_scope)[:90]}"
            )
        abst = frame[frame["code"].isna()]
        print("\n## abstained")
        for r in abst.itertuples():
            print(
                f"{r.enterprise_id} truth {r.truth} raw {r.raw_code} ({r.conf:.2f}) {r.name} | {str(r.business_scope)[:90]}"
            )


if __name__ == "__main__":
    main()
