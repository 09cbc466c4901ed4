"""The real-text development set: hand-labelled enterprises and graded parks (``datasets/dev``).

- ``registry_labels.csv``: ids of 460 rows of the real registry sample
  (``../shared/corpora/registry_sample``, CC BY-NC-SA, never copied into this repository) with
  hand labels: GB/T 小类 ``code``, ``activity``, ``certainty`` and ``grades`` (``PARK:g;…``,
  0–3 relevance to each development park). The texts are read from ../shared at run time.
- ``modern_enterprises.csv``: 199 rows written by hand in today's registry style (some with a
  declared code, four of them wrong on purpose), with ``true_code``, ``activity``, ``grades``.
- ``parks.csv``: 13 parks across China (positioning, leading and excluded codes, park type).

Every label was written before any matcher output on these rows was looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "datasets" / "dev"
REGISTRY = ROOT.parent / "shared" / "corpora" / "registry_sample" / "registry_sample.csv"


@dataclass
class DevSet:
    """Enterprises (schema columns), their labels, the parks and the graded relevance."""

    enterprises: pd.DataFrame  # enterprise_id, name, business_scope, products, industry_code, …
    labels: pd.DataFrame  # enterprise_id, code, activity, origin (registry / modern)
    parks: pd.DataFrame
    grades: pd.DataFrame  # park_id, enterprise_id, grade (every pair; 0 where not listed)
    registry_rows: int


def _grades(frame: pd.DataFrame, parks: list[str]) -> pd.DataFrame:
    rows = []
    for eid, cell in zip(frame["enterprise_id"], frame["grades"].fillna(""), strict=True):
        given = dict(item.split(":") for item in str(cell).split(";") if ":" in item)
        rows.extend((park, eid, int(given.get(park, 0))) for park in parks)
    return pd.DataFrame(rows, columns=["park_id", "enterprise_id", "grade"])


def load_devset(*, registry: Path = REGISTRY, declared: bool = True) -> DevSet:
    """Load the development set; registry rows only when ../shared holds the registry sample.

    Parameters
    ----------
    declared : bool, default=True
        Keep the modern rows' declared industry codes; False measures "from text alone".
    """
    parks = pd.read_csv(DEV / "parks.csv", dtype=str)
    park_ids = parks["park_id"].tolist()
    modern = pd.read_csv(DEV / "modern_enterprises.csv", dtype=str)
    ents = [
        modern[
            [
                "enterprise_id",
                "name",
                "business_scope",
                "products",
                "industry_code",
                "province",
                "city",
                "county",
            ]
        ].assign(origin="modern")
    ]
    labels = [
        modern[["enterprise_id", "true_code", "activity"]]
        .rename(columns={"true_code": "code"})
        .assign(origin="modern", certainty="sure")
    ]
    grades = [_grades(modern, park_ids)]
    n_registry = 0
    if registry.exists():
        lab = pd.read_csv(DEV / "registry_labels.csv", dtype=str)
        reg = pd.read_csv(registry, dtype=str)
        reg = reg[reg["统一社会信用代码"].isin(set(lab["credit_code"]))]
        reg = lab.merge(reg, left_on="credit_code", right_on="统一社会信用代码", how="left")
        if reg["企业名称"].isna().any():
            raise SystemExit("registry sample does not hold every labelled row")
        frame = pd.DataFrame(
            {
                "enterprise_id": "R" + reg["credit_code"],
                "name": reg["企业名称"],
                "business_scope": reg["经营范围"],
                "products": None,
                "industry_code": None,
                "province": reg["所在省份"],
                "city": reg["地区"],
                "county": None,
                "origin": "registry",
            }
        )
        ents.insert(0, frame)
        labels.insert(
            0,
            pd.DataFrame(
                {
                    "enterprise_id": frame["enterprise_id"],
                    "code": reg["code"],
                    "activity": reg["activity"],
                    "origin": "registry",
                    "certainty": reg["certainty"],
                }
            ),
        )
        grades.insert(0, _grades(frame.assign(grades=reg["grades"].to_numpy()), park_ids))
        n_registry = len(frame)
    enterprises = pd.concat(ents, ignore_index=True)
    if not declared:
        enterprises["industry_code"] = None
    return DevSet(
        enterprises=enterprises.drop(columns=["origin"]),
        labels=pd.concat(labels, ignore_index=True),
        parks=parks,
        grades=pd.concat(grades, ignore_index=True),
        registry_rows=n_registry,
    )
