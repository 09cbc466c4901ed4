"""A fingerprint of the library's behaviour, to check a refactor changes nothing.

    python tools/fingerprint.py OUT_DIR            # write the fingerprint files
    diff -r BEFORE_DIR AFTER_DIR                    # bit for bit: floats are written exactly

Fits the bundled sample and 20,000 generated enterprises and writes, as text with every float in
its shortest exact form (``repr``): ``rank_enterprises(park, k=50)`` of every park (plus a page
with ineligible rows and one with call weights), ``rank_parks`` of 50 enterprises, a new
enterprise's ``rank_parks_for``, ``explain`` of a few pairs, the chain report, the allocation,
the two-sided (reciprocal) matcher, timing leads, policy ranking, the 研判 report, the batch
top-k, learned scorers, ``evaluate``'s table, and the text of several CLI runs.

Names are looked up where the current layout keeps them, so the same script runs before and
after a move of modules.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def find(name: str, *modules: str) -> Any:
    """``name`` from the first of ``modules`` that has it (without deprecation warnings)."""
    for module in modules:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if name in getattr(mod, "__all__", ()) or name in vars(mod):
                return getattr(mod, name)
    for module in modules:  # a name kept for one release (module __getattr__)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                return getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                continue
    raise ImportError(f"{name} not found in {modules}")


def text(value: Any) -> str:
    """Exact text of frames, arrays, dicts and floats."""
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
        for col in frame.columns:
            if frame[col].dtype.kind == "f":
                frame[col] = [repr(float(v)) for v in frame[col]]
        attrs = {k: v for k, v in value.attrs.items() if k != "parkmatch_schema"}
        return frame.to_csv(index=True) + (f"attrs={attrs!r}\n" if attrs else "")
    if isinstance(value, pd.Series):
        return text(value.to_frame())
    if isinstance(value, np.ndarray):
        return repr(value.tolist())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(text(v) for v in value) + "]"
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return repr(value)


class Out:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, *parts: Any) -> None:
        body = "\n".join(p if isinstance(p, str) else text(p) for p in parts)
        (self.folder / f"{name}.txt").write_text(body + "\n", encoding="utf-8")


def timed(label: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return result


def rankings(out: Out, prefix: str, m: Any, ent_ids: list[str]) -> None:
    parks = list(m.parks_["park_id"])
    out.write(f"{prefix}_rank_enterprises", *(m.rank_enterprises(p, k=50) for p in parks))
    out.write(
        f"{prefix}_rank_enterprises_pages",
        *(m.rank_enterprises(p, k=20, offset=40, include_ineligible=True) for p in parks),
        m.rank_enterprises(parks[0], k=30, weights={"industry": 3.0, "location": 0.0}),
        m.rank_enterprises(parks[1], k=None, min_score=55.0),
        m.rank_enterprises(parks[2], k=10, candidates=ent_ids[:200]),
    )
    out.write(
        f"{prefix}_rank_parks",
        *(m.rank_parks(e, k=None, include_ineligible=True) for e in ent_ids[:50]),
    )
    pairs = [(parks[i % len(parks)], ent_ids[i * 7]) for i in range(8)]
    explained = []
    for p, e in pairs:
        ex = m.explain(p, e)
        explained += [str(ex), ex.to_frame(), repr(ex.score), repr(ex.baseline)]
    out.write(f"{prefix}_explain", *explained)


def cli(args: list[str]) -> str:
    main = find("main", "matcher.cli")
    stdout, stderr = io.StringIO(), io.StringIO()
    old = sys.argv
    sys.argv = ["parkmatch", *args]
    code = 0
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
    sys.argv = old
    return f"$ parkmatch {' '.join(args)}\nexit {code}\n{stdout.getvalue()}\n{stderr.getvalue()}"


def main() -> None:
    folder = Path(sys.argv[1])
    out = Out(folder)
    os.environ["COLUMNS"] = "200"
    warnings.simplefilter("ignore", DeprecationWarning)

    Matcher = find("Matcher", "matcher")
    load_sample = find("load_sample", "matcher")
    sample_parks, sample_ents = load_sample()

    # ------------------------------------------------------------------ the sample
    m = timed("fit sample", lambda: Matcher().fit(sample_parks, sample_ents))
    ent_ids = list(m.enterprises_["enterprise_id"])
    rankings(out, "sample", m, ent_ids[::60][:50] + ent_ids[:150])
    profile = {
        "name": "郑州某铝材加工有限公司",
        "business_scope": "铝合金型材、铝板带箔的生产、加工与销售；有色金属压延加工。",
        "industry_code": "3252",
        "province": "河南省",
        "city": "郑州市",
        "employees": 120,
        "revenue_wan": 8000,
        "space_need_sqm": 6000,
    }
    out.write("sample_rank_parks_for", m.rank_parks_for(profile, k=None, include_ineligible=True))

    # chains, allocation, two-sided
    ChainFeature = find("ChainFeature", "matcher.features", "matcher")
    PreferenceFeature = find("PreferenceFeature", "matcher.features", "matcher")
    ReciprocalScorer = find("ReciprocalScorer", "matcher.scoring", "matcher")
    default_families = find("default_families", "matcher.features")
    load_sample_tenants = find("load_sample_tenants", "matcher.chains", "matcher")
    chain_report = find("chain_report", "matcher.chains", "matcher")
    allocate = find("allocate", "matcher.allocation", "matcher")
    tenants = load_sample_tenants()
    mc = timed(
        "fit chains",
        lambda: Matcher(families=[*default_families(), ChainFeature()]).fit(
            sample_parks, sample_ents, tenants
        ),
    )
    reports = []
    for park in ["GY-LZ-AL", *list(mc.parks_["park_id"])[:6]]:
        try:
            report = chain_report(mc, park, k=5)
        except Exception as exc:
            reports.append(f"{park}: {type(exc).__name__}: {exc}")
            continue
        reports += [report.to_frame(), report.gaps(), text(report.to_dict())]
    out.write("chains_report", *reports)
    out.write("chains_rank", *(mc.rank_enterprises(p, k=30) for p in list(mc.parks_["park_id"])))
    alloc = timed("allocate", lambda: allocate(mc, candidates=20, time_limit=60))
    out.write("allocation", alloc.to_frame(), text(alloc.to_dict()), alloc.summary())
    two = timed(
        "fit two-sided",
        lambda: Matcher(
            families=[*default_families(), ChainFeature(), PreferenceFeature()],
            scorer=ReciprocalScorer(),
        ).fit(sample_parks, sample_ents, tenants),
    )
    explain_two_sided = find("explain_two_sided", "matcher.scoring", "matcher")
    two_ex = [explain_two_sided(two, "GY-LZ-AL", e) for e in ent_ids[:5]]
    out.write(
        "two_sided",
        *(two.rank_enterprises(p, k=20) for p in list(two.parks_["park_id"])),
        *(two.rank_parks(e, k=None) for e in ent_ids[:10]),
        *(f"{x}\n{text(x.to_frame())}" for x in two_ex),
        allocate(two, candidates=15, time_limit=60).to_frame(),
    )

    # signals, policies, report
    load_sample_events = find("load_sample_events", "matcher.signals", "matcher")
    timing_leads = find("timing_leads", "matcher.signals", "matcher.features", "matcher")
    events = load_sample_events()
    ms = timed("fit events", lambda: Matcher().fit(sample_parks, sample_ents, events=events))
    out.write(
        "signals",
        *(ms.rank_enterprises(p, k=20) for p in list(ms.parks_["park_id"])),
        *(timing_leads(ms, p, k=20) for p in list(ms.parks_["park_id"])[:5]),
    )
    load_policies = find("load_policies", "matcher.policies", "matcher")
    rank_with_policies = find("rank_with_policies", "matcher.policies", "matcher")
    match_policies = find("match_policies", "matcher.policies", "matcher")
    sample_dir = find("sample_dir", "matcher.datasets")
    policies = load_policies(sample_dir() / "policies.csv")
    out.write(
        "policies",
        rank_with_policies(m, "GY-LZ-AL", policies, k=20, boost=5.0, as_of="2024-06-30"),
        match_policies(policies, sample_ents.iloc[0], park_id="GY-LZ-AL", as_of="2024-06-30"),
    )
    assessment_report = find("assessment_report", "matcher.report", "matcher")
    reports = []
    for e in ent_ids[:3]:
        rep = assessment_report(
            ms, "GY-LZ-AL", e, events=events, policies=policies, as_of="2024-06-30"
        )
        reports.append(text(rep.to_dict()))
    out.write("assessment_report", *reports)

    # batch
    top_enterprises = find("top_enterprises", "matcher.batch")
    top_parks = find("top_parks", "matcher.batch")
    out.write(
        "batch",
        top_enterprises(m, k=15, chunk_size=700, reasons=True),
        top_parks(m, k=3, chunk_size=500),
    )

    # learning and evaluation
    load_sample_outcomes = find("load_sample_outcomes", "matcher.learning", "matcher")
    labelled_pairs = find("labelled_pairs", "matcher.learning", "matcher")
    pair_features = find("pair_features", "matcher.learning", "matcher")
    fit_weights = find("fit_weights", "matcher.learning", "matcher")
    train_ips = find("train_ips", "matcher.learning", "matcher")
    evaluate = find("evaluate", "matcher.learning", "matcher.evaluation", "matcher")
    summarize = find("summarize", "matcher.learning", "matcher.evaluation")
    outcomes = load_sample_outcomes()
    pairs = labelled_pairs(m, outcomes)
    X = pair_features(m, pairs)
    weights = fit_weights(X, pairs["gain"], groups=pairs["park_id"])
    LinearScorer = find("LinearScorer", "matcher.learning", "matcher")
    GBScorer = find("GBScorer", "matcher.learning", "matcher")
    label = (pairs["gain"] > 0).astype(int)
    learned = []
    for scorer in (
        train_ips(m, outcomes, kind="logistic"),
        train_ips(m, outcomes, kind="weights"),
        LinearScorer().fit(X, label),
        GBScorer(random_state=0).fit(X, label),
    ):
        ml = Matcher(scorer=scorer).fit(sample_parks, sample_ents)
        learned += [ml.rank_enterprises("GY-LZ-AL", k=30), ml.rank_parks(ent_ids[3], k=None)]
        learned.append(str(ml.explain("GY-LZ-AL", ent_ids[3])))
    out.write("learning", pairs, X, text(weights), *learned)
    table = timed("evaluate", lambda: evaluate(load_sample(), outcomes))
    out.write("evaluate", table, text(table.attrs), summarize(table))
    make_outcomes = find("make_outcomes", "matcher.learning", "matcher")
    simulated, truth = make_outcomes(sample_parks, sample_ents, random_state=3, return_truth=True)
    out.write("make_outcomes", simulated, truth)

    # ------------------------------------------------------------------ 20k generated
    make_enterprises = find("make_enterprises", "matcher.datasets", "matcher")
    validate_enterprises = find("validate_enterprises", "matcher.io", "matcher")
    make_events = find("make_events", "matcher.datasets", "matcher")
    raw = make_enterprises(20_000, random_state=7)
    generated = validate_enterprises(raw)
    out.write("generated_enterprises_head", generated.head(300))
    out.write("generated_events", make_events(generated.head(2000), random_state=5))
    mg = timed("fit 20k", lambda: Matcher().fit(sample_parks, generated))
    gen_ids = list(mg.enterprises_["enterprise_id"])
    rankings(out, "generated", mg, gen_ids[::397][:50] + gen_ids[:150])

    # ------------------------------------------------------------------ CLI
    runs = [
        ["rank", "--park", "GY-LZ-AL", "--top", "10"],
        ["rank", "--park", "GY-LZ-AL", "--top", "5", "--format", "csv"],
        ["rank", "--enterprise", ent_ids[5], "--top", "5", "--include-ineligible"],
        ["rank", "--park", "GY-LZ-AL", "--top", "5", "--weights", "industry=0.6,text=0.2"],
        ["explain", "--park", "GY-LZ-AL", "--enterprise", ent_ids[5]],
        ["validate", str(sample_dir() / "enterprises.csv")],
        ["validate", str(sample_dir() / "parks.csv")],
        ["chain", "--park", "GY-LZ-AL"],
        ["allocate", "--park", "GY-LZ-AL,ZZ-HK-EL", "--candidates", "10"],
        ["signals", "--park", "GY-LZ-AL", "--as-of", "2024-06-30"],
        ["policies", "--park", "GY-LZ-AL", "--enterprise", ent_ids[5], "--as-of", "2024-06-30"],
        ["policies", "--park", "GY-LZ-AL", "--boost", "5", "--as-of", "2024-06-30"],
        ["evaluate", "--models", "default,weights", "--folds", "3"],
    ]
    out.write("cli", *(timed(" ".join(r[:2]), lambda r=r: cli(r)) for r in runs))

    # parkmatch train: the printed text (bar the file's SHA-256, which names module paths) and
    # the scores of the written model
    import tempfile

    try:
        load_model = find("load_scorer", "matcher.scoring")
    except ImportError:
        load_model = find("load_model", "matcher")
    trained = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("logistic", "ridge", "gbm", "weights", "ips_logistic", "ips_weights"):
            path = Path(tmp) / f"{kind}.joblib"
            run = ["train", "--model", kind, "-o", str(path), "--folds", "3"]
            printed = timed(f"train {kind}", lambda run=run: cli(run))
            printed = "\n".join(
                line for line in printed.splitlines() if "SHA-256" not in line and tmp not in line
            )
            scorer = load_model(path)
            trained += [printed, scorer.decision_function(X.to_numpy()[:500])]
    out.write("train", *trained)


if __name__ == "__main__":
    main()
