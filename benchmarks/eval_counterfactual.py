"""Logged versus counterfactual evaluation, checked against the simulator's truth.

    python benchmarks/eval_counterfactual.py                       # 1k, 5k, 20k outcomes × 3 seeds
    python benchmarks/eval_counterfactual.py --sizes 1000 --seeds 5 --exploration 0.1

For each ledger size and seed: enterprises from ``make_enterprises`` (the bundled sample's
3,000 for 1k outcomes, proportionally more for larger ledgers, so that each park's officers
contact about the same share of its candidates), the 14 sample parks, a ledger from
``make_outcomes(..., return_truth=True)`` (contacts per park scaled to the size), then
``evaluate(..., truth=truth)`` over 3 folds grouped by park (``--folds``) for every model of
``matcher.evaluation.MODELS``. It prints, per size, the mean over seeds of each model's true
NDCG@10, logged NDCG@10 and the IPS, SNIPS and DR estimates, and Kendall's τ between each
estimator's order of the models and the truth's (per seed, then averaged; over all models and
over the seven trained or default rankers, where the gaps are small). ``--csv`` writes every
(size, seed, model) row.

The figures in the README come from the default run; re-run it after the ranking changes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
from scipy.stats import kendalltau

from matcher import load_sample
from matcher.datasets import make_enterprises, make_outcomes
from matcher.learning import evaluate, summarize

#: The rankers an office would choose between (the rest are one-family and popularity baselines).
RANKERS = ("default", "weights", "logistic", "ridge", "gbm", "ips_logistic", "ips_weights")
ESTIMATORS = {
    "logged": "ndcg@10",
    "ips": "ips_ndcg@10",
    "snips": "snips_ndcg@10",
    "dr": "dr_ndcg@10",
}
SAMPLE_OUTCOMES = 1120  # about what the sample's 3,000 enterprises give with the defaults


def one_run(
    size: int, seed: int, *, folds: int, exploration: float, min_propensity: float = 0.0
) -> pd.DataFrame:
    """One ledger of about ``size`` outcomes, evaluated: one row per model."""
    parks, sample = load_sample()
    scale = size / SAMPLE_OUTCOMES
    enterprises = (
        sample
        if size <= SAMPLE_OUTCOMES
        else make_enterprises(round(3000 * scale), random_state=seed)
    )
    per_park = (max(1, round(50 * max(scale, 1))), max(1, round(110 * max(scale, 1))))
    ledger, truth = make_outcomes(
        parks,
        enterprises,
        random_state=seed,
        contacts_per_park=per_park,
        exploration=exploration,
        return_truth=True,
    )
    start = time.perf_counter()
    table = evaluate(
        (parks, enterprises),
        ledger,
        folds=folds,
        time_split=False,
        ks=(10,),
        truth=truth,
        random_state=seed,
        min_propensity=min_propensity,
    )
    seconds = time.perf_counter() - start
    summary = summarize(table).loc["park_cv"].reset_index()
    summary.insert(0, "seed", seed)
    summary.insert(0, "size", size)
    summary["n_outcomes"] = len(ledger)
    summary["n_enterprises"] = len(enterprises)
    summary["examination"] = table.attrs["examination"]["method"]
    summary["exponent"] = table.attrs["examination"]["exponent"]
    summary["seconds"] = seconds
    return summary


def taus(run: pd.DataFrame) -> dict[str, float]:
    """Kendall τ of each estimator's order of the models with the truth's, for one run."""
    out = {}
    for subset, models in (("all", list(run["model"])), ("rankers", list(RANKERS))):
        rows = run.set_index("model").loc[models]
        for name, metric in ESTIMATORS.items():
            out[f"{subset}:{name}"] = float(
                kendalltau(rows["true_ndcg@10"], rows[metric]).statistic
            )
    return out


def report(runs: pd.DataFrame) -> str:
    """Markdown: one table per size, then the τ table."""
    lines = []
    for size, part in runs.groupby("size", sort=True):
        seeds = part["seed"].nunique()
        n_out = int(part.groupby("seed")["n_outcomes"].first().mean())
        n_ent = int(part["n_enterprises"].iloc[0]) if part["n_enterprises"].nunique() == 1 else None
        exam = part.groupby("seed")["exponent"].first()
        lines.append(
            f"\n**{size:,} outcomes** ({n_out:,} on average, {seeds} seeds, "
            f"{f'{n_ent:,} enterprises' if n_ent else 'enterprises per seed'}; "
            f"examination exponent {exam.mean():.2f}, method {part['examination'].iloc[0]}; "
            f"evaluate {part.groupby('seed')['seconds'].first().mean():.0f} s per ledger)\n"
        )
        lines.append("| model | true NDCG@10 | logged | IPS | SNIPS | DR |")
        lines.append("|---|---|---|---|---|---|")
        means = part.groupby("model", sort=False)[["true_ndcg@10", *ESTIMATORS.values()]].mean()
        for model, row in means.iterrows():
            cells = " | ".join(f"{row[c]:.3f}" for c in ["true_ndcg@10", *ESTIMATORS.values()])
            lines.append(f"| {model} | {cells} |")
    lines.append(
        "\n**Kendall τ with the truth's order of the models** (mean over seeds, [min, max])\n"
    )
    lines.append("| outcomes | models | logged | IPS | SNIPS | DR |")
    lines.append("|---|---|---|---|---|---|")
    rows = []
    for (size, seed), run in runs.groupby(["size", "seed"], sort=True):
        rows.append({"size": size, "seed": seed, **taus(run)})
    tau = pd.DataFrame(rows)
    for size, part in tau.groupby("size", sort=True):
        for subset, label in (("all", f"all {runs['model'].nunique()}"), ("rankers", "7 rankers")):
            cells = []
            for name in ESTIMATORS:
                values = part[f"{subset}:{name}"]
                cells.append(f"{values.mean():+.2f} [{values.min():+.2f}, {values.max():+.2f}]")
            lines.append(f"| {size:,} | {label} | " + " | ".join(cells) + " |")
    lines.append(
        "\n**Kendall τ of the means over seeds** (each estimator's mean per model against the "
        "mean truth: its order of the models in expectation, the seeds' noise averaged out)\n"
    )
    lines.append("| outcomes | models | logged | IPS | SNIPS | DR |")
    lines.append("|---|---|---|---|---|---|")
    for size, part in runs.groupby("size", sort=True):
        means = part.groupby("model", sort=False)[["true_ndcg@10", *ESTIMATORS.values()]].mean()
        for subset, label in (("all", f"all {runs['model'].nunique()}"), ("rankers", "7 rankers")):
            rows_ = means if subset == "all" else means.loc[list(RANKERS)]
            cells = [
                f"{kendalltau(rows_['true_ndcg@10'], rows_[metric]).statistic:+.2f}"
                for metric in ESTIMATORS.values()
            ]
            lines.append(f"| {size:,} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--exploration", type=float, default=0.0)
    parser.add_argument("--min-propensity", type=float, default=0.0)
    parser.add_argument("--csv", type=Path, default=None)
    args = parser.parse_args(argv)
    runs = []
    for size in args.sizes:
        for seed in range(args.seeds):
            run = one_run(
                size,
                seed,
                folds=args.folds,
                exploration=args.exploration,
                min_propensity=args.min_propensity,
            )
            print(
                f"size {size} seed {seed}: {int(run['n_outcomes'].iloc[0])} outcomes, "
                f"evaluate {run['seconds'].iloc[0]:.0f} s",
                file=sys.stderr,
            )
            runs.append(run)
    table = pd.concat(runs, ignore_index=True)
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
    print(report(table))


if __name__ == "__main__":
    main()
