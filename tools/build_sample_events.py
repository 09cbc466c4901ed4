"""Build datasets/events.csv: synthetic events (企业动态) of the sample enterprises.

``make_events(load_sample()[1], random_state=2022)`` for the assessment date
``SAMPLE_EVENTS_AS_OF``. Deterministic. Run from the repository root:
.venv/bin/python tools/build_sample_events.py
"""

from __future__ import annotations

from pathlib import Path

from matcher import load_sample
from matcher.datasets import SAMPLE_EVENTS_AS_OF, make_events

SEED = 2022


def main() -> None:
    _, enterprises = load_sample()
    events = make_events(enterprises, random_state=SEED, as_of=SAMPLE_EVENTS_AS_OF)
    path = Path(__file__).resolve().parents[1] / "datasets" / "events.csv"
    events.to_csv(path, index=False, encoding="utf-8-sig")
    print(
        f"wrote {len(events)} events of {events['enterprise_id'].nunique()} enterprises to {path}"
    )


if __name__ == "__main__":
    main()
