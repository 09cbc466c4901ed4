"""How well a missing industry code is inferred from scope + products.

    python benchmarks/eval_inference.py

Hides 20 % of the sample's declared codes (rows that have scope text), fits a matcher, and
compares the inferred codes with the hidden ones, overall and by confidence band.
"""

from __future__ import annotations

import numpy as np

from matcher import Matcher, load_sample, taxonomy


def shared_levels(truth: str, guess: str | None) -> int:
    if guess is None:
        return 0
    return int(taxonomy.code_similarity(guess, truth)[1])


def main() -> None:
    parks, ents = load_sample()
    rng = np.random.default_rng(0)
    has = (ents["industry_code"].notna() & ents["business_scope"].notna()).to_numpy()
    rows = rng.choice(np.flatnonzero(has), size=int(has.sum()) // 5, replace=False)
    truth = ents["industry_code"].iloc[rows].tolist()
    hidden = ents.copy()
    hidden.loc[hidden.index[rows], "industry_code"] = None
    hidden.attrs = ents.attrs
    E = Matcher().fit(parks, hidden).index_.enterprises
    guess = [E.code_at(int(r)) for r in rows]
    conf = E.code_conf[rows]
    # exact: the inferred code is the declared one, or lies under it when the sheet declared
    # only a coarse code (e.g. 32)
    exact = np.array(
        [
            g is not None and taxonomy.code_similarity(g, t)[0] >= 1.0
            for t, g in zip(truth, guess, strict=True)
        ]
    )
    division = np.array([shared_levels(t, g) >= 2 for t, g in zip(truth, guess, strict=True)])
    print(f"hidden codes: {len(rows)}; exact: {exact.mean():.1%}; same 大类: {division.mean():.1%}")
    for lo, hi in [(0.0, 0.3), (0.3, 0.6), (0.6, 0.9), (0.9, 1.01)]:
        band = (conf >= lo) & (conf < hi)
        if band.any():
            print(
                f"  confidence [{lo:.1f}, {min(hi, 1.0):.1f}): n={band.sum():4d}  exact {exact[band].mean():.1%}"
            )


if __name__ == "__main__":
    main()
