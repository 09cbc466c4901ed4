"""Time the 研判 report on the bundled sample: building it, and writing PDF, XLSX and DOCX.

Usage::

    python benchmarks/bench_report.py --repeat 10

The matcher is fitted once (sample parks, enterprises, tenants and events; the default families
plus the chain and signal families); each measure is the median (and p90) over ``--repeat`` runs
for the sample's first park and one of its top leads.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from timing import fmt, times

from matcher import Matcher, load_sample
from matcher.datasets import (
    SAMPLE_EVENTS_AS_OF,
    load_sample_events,
    load_sample_tenants,
    sample_dir,
)
from matcher.features import ChainFeature, SignalFeature, default_families
from matcher.policies import load_policies
from matcher.report import assessment_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per measure")
    parser.add_argument("--park", default="GY-LZ-AL")
    args = parser.parse_args()
    parks, enterprises = load_sample()
    families = [*default_families(), ChainFeature(), SignalFeature(as_of=SAMPLE_EVENTS_AS_OF)]
    matcher = Matcher(families=families).fit(
        parks, enterprises, load_sample_tenants(), events=load_sample_events()
    )
    policies = load_policies(sample_dir() / "policies.csv", parks=parks)
    enterprise = str(matcher.rank_enterprises(args.park, k=1)["enterprise_id"].iloc[0])

    def build() -> object:
        return assessment_report(
            matcher, args.park, enterprise, policies=policies, as_of=SAMPLE_EVENTS_AS_OF
        )

    report = build()
    print(f"report {args.park} × {enterprise}")
    print(f"  build          {fmt(times(build, args.repeat))}")
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".pdf", ".xlsx", ".docx"):
            path = Path(folder) / f"report{suffix}"
            print(f"  write {suffix:<8} {fmt(times(lambda p=path: report.save(p), args.repeat))}")


if __name__ == "__main__":
    main()
