"""Ranking quality on the real-text development set (see ``benchmarks/devset.py``).

    python benchmarks/eval_ranking.py             # from text alone (declared codes dropped)
    python benchmarks/eval_ranking.py --declared  # with the declared codes some rows carry
    python benchmarks/eval_ranking.py --show GY-AL  # the top 10 of one park, with grades
    python benchmarks/eval_ranking.py --weights industry=0.3,text=0.3  # other family weights

For each of the 13 development parks, every labelled enterprise (460 real registry rows when
../shared holds the registry sample, plus 199 modern-style rows) is ranked and NDCG@10 is computed
against the hand grades (gain 2^grade − 1; ineligible pairs rank last). The naive baseline ranks by
the cosine of character 1–2-gram TF-IDF between scope + products and positioning + the names of
the leading industries, plus 1 when a declared code lies under a leading code and minus 1 when it
lies under an excluded one (so "from text alone" it is the cosine).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from devset import load_devset

from matcher import Matcher
from matcher.io import validate_enterprises, validate_parks
from matcher.reference import taxonomy

K = 10


def ndcg_at(order: list[str], grades: dict[str, int], k: int = K) -> float:
    """NDCG@k of a ranked list of ids against graded relevance (missing ids grade 0)."""
    gains = np.array([2.0 ** grades.get(i, 0) - 1 for i in order[:k]])
    discounts = 1.0 / np.log2(np.arange(2, len(gains) + 2))
    ideal = np.sort(np.array([2.0**g - 1 for g in grades.values()]))[::-1][:k]
    best = float((ideal * discounts[: len(ideal)]).sum())
    return float((gains * discounts).sum()) / best if best > 0 else float("nan")


def baseline_orders(parks: pd.DataFrame, ents: pd.DataFrame) -> dict[str, list[str]]:
    """The naive baseline's ranking of every enterprise for every park."""
    ent_docs = (ents["business_scope"].fillna("") + " " + ents["products"].fillna("")).tolist()
    park_docs = [
        f"{pos} " + " ".join(taxonomy.code_name(c) for c in str(codes).split(";") if c)
        for pos, codes in zip(
            parks["positioning"].fillna(""), parks["leading_industries"], strict=True
        )
    ]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    X = vec.fit_transform(ent_docs + park_docs)
    E, P = X[: len(ent_docs)], X[len(ent_docs) :]
    cos = (E @ P.T).toarray()
    out = {}
    declared = ents["industry_code"].tolist()
    for j, park in enumerate(parks.itertuples()):
        lead = [c for c in str(park.leading_industries).split(";") if c]
        excl = [c for c in str(park.excluded_industries).split(";") if c and c != "nan"]
        score = cos[:, j].copy()
        for i, code in enumerate(declared):
            if isinstance(code, str) and code:
                if any(code.startswith(c) for c in lead):
                    score[i] += 1.0
                if any(code.startswith(c) for c in excl):
                    score[i] -= 1.0
        order = np.lexsort((np.arange(len(score)), -score))
        out[park.park_id] = ents["enterprise_id"].to_numpy()[order].tolist()
    return out


def matcher_orders(
    matcher: Matcher, parks: pd.DataFrame, weights: dict[str, float] | None = None
) -> dict[str, pd.DataFrame]:
    return {
        p: matcher.rank_enterprises(p, k=None, include_ineligible=True, weights=weights)
        for p in parks["park_id"]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declared", action="store_true", help="keep declared industry codes")
    parser.add_argument("--show", metavar="PARK", help="print the top 10 of one park")
    parser.add_argument("--weights", help="family weights, e.g. industry=0.3,text=0.3")
    args = parser.parse_args()
    dev = load_devset(declared=args.declared)
    if not dev.registry_rows:
        print("note: ../shared/corpora/registry_sample is absent; modern rows only")
    parks = validate_parks(dev.parks)
    ents = validate_enterprises(dev.enterprises)
    matcher = Matcher().fit(parks, ents)
    weights = None
    if args.weights:
        weights = {k: float(v) for k, v in (kv.split("=") for kv in args.weights.split(","))}
    ours = matcher_orders(matcher, parks, weights)
    base = baseline_orders(dev.parks, dev.enterprises)
    rows = []
    for park in parks["park_id"]:
        g = dev.grades[dev.grades["park_id"] == park]
        grades = dict(zip(g["enterprise_id"], g["grade"], strict=True))
        rows.append(
            (
                park,
                int((g["grade"] >= 2).sum()),
                ndcg_at(ours[park]["enterprise_id"].tolist(), grades),
                ndcg_at(base[park], grades),
            )
        )
    table = pd.DataFrame(rows, columns=["park", "grade≥2", "parkmatch", "baseline"])
    table["gain"] = table["parkmatch"] - table["baseline"]
    mode = "with declared codes" if args.declared else "from text alone"
    print(f"NDCG@{K} per park, {mode}; {len(ents)} enterprises ({dev.registry_rows} registry rows)")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(
        f"mean: parkmatch {table['parkmatch'].mean():.3f}, baseline {table['baseline'].mean():.3f},"
        f" gain {table['gain'].mean():+.3f}"
    )
    if args.show:
        g = dev.grades[dev.grades["park_id"] == args.show]
        grades = dict(zip(g["enterprise_id"], g["grade"], strict=True))
        top = ours[args.show].head(K)
        for r in top.itertuples():
            print(f"{grades.get(r.enterprise_id, 0)}  {r.score:5.1f} {r.enterprise_id} {r.name}")
        missed = [i for i, gr in grades.items() if gr >= 2 and i not in set(top["enterprise_id"])]
        print("graded ≥2 but not in the top 10:")
        rank = {e: k for k, e in enumerate(ours[args.show]["enterprise_id"])}
        for i in sorted(missed, key=lambda i: rank[i]):
            row = ours[args.show].iloc[rank[i]]
            print(f"{grades[i]}  #{rank[i] + 1:3d} {row.score:5.1f} {i} {row['name']}")


if __name__ == "__main__":
    main()
