"""Time an all-or-nothing load of a clean enterprises CSV against a partial load of a messy one.

Usage::

    python benchmarks/bench_partial_load.py --n 44817 --bad 30 --repeat 3

The messy file is the clean one with ``--bad`` broken rows, as in a real registry export: all
but one shifted by a bad encoding (a line with one field more than the header) and one with a
wrong credit-code check digit. Reports the medians of ``load_enterprises(clean)`` and of
``load_enterprises(messy, errors="skip")``, their ratio, and checks that every row is loaded
or rejected.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from timing import fmt, times

from matcher.datasets import make_enterprises
from matcher.io import load_enterprises


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=44_817, help="enterprises to generate")
    parser.add_argument("--bad", type=int, default=30, help="broken rows in the messy file")
    parser.add_argument("--repeat", type=int, default=3, help="timed loads per measure")
    args = parser.parse_args()

    frame = make_enterprises(args.n, random_state=16)
    with tempfile.TemporaryDirectory() as folder:
        clean = Path(folder) / "clean.csv"
        messy = Path(folder) / "messy.csv"
        frame.to_csv(clean, index=False)
        lines = clean.read_text(encoding="utf-8").splitlines()
        step = max(1, (len(lines) - 1) // args.bad)
        bad_rows = list(range(1, len(lines), step))[: args.bad]
        for k, i in enumerate(bad_rows):
            if k == 0:  # a wrong check digit
                code = frame["credit_code"].iloc[i - 1]
                wrong = code[:17] + ("0" if code[17] != "0" else "1")
                lines[i] = lines[i].replace(code, wrong)
            else:  # a field too many, as a shifted GBK line reads
                lines[i] = lines[i].replace(",", ",,", 1)
        messy.write_text("\n".join(lines) + "\n", encoding="utf-8")

        raise_times = times(lambda: load_enterprises(clean), args.repeat)
        skip_times = times(lambda: load_enterprises(messy, errors="skip"), args.repeat)
        result = load_enterprises(messy, errors="skip")

    assert result.n_loaded + result.n_rejected == args.n, "a row was dropped silently"
    print(f"rows {args.n:,}; {result.summary()}")
    print(f"load_enterprises(clean)                 {fmt(raise_times, 's')}")
    print(f"load_enterprises(messy, errors='skip')  {fmt(skip_times, 's')}")
    ratio = statistics.median(skip_times) / statistics.median(raise_times)
    print(f"ratio skip / clean: {ratio:.2f}")


if __name__ == "__main__":
    main()
