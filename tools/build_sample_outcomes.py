"""Regenerate ``datasets/outcomes.csv`` from the bundled sample (seed 2022).

The generator's position bias follows the default ranking, so re-run this whenever scoring
changes; ``tests/test_outcomes.py`` fails until the file matches the generator again.

    .venv/bin/python tools/build_sample_outcomes.py
"""

from __future__ import annotations

from pathlib import Path

from matcher import load_sample
from matcher.datasets import make_outcomes


def main() -> None:
    parks, enterprises = load_sample()
    outcomes = make_outcomes(parks, enterprises, random_state=2022)
    path = Path(__file__).resolve().parents[1] / "datasets" / "outcomes.csv"
    outcomes.to_csv(path, index=False, encoding="utf-8-sig")
    print(f"wrote {len(outcomes)} rows to {path}")


if __name__ == "__main__":
    main()
