"""The bundled sample: Zhengzhou parks, generated enterprises, their tenants, events and ledger.

Files live in ``datasets/`` of a source checkout and in ``matcher/_sample`` of an installed wheel
(:func:`sample_dir`); every loader validates what it reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from ..io import load_events, validate_enterprises, validate_parks, validate_tenants
from ..learning import load_outcomes
from ._enterprises import ENTERPRISE_HEADERS_ZH, make_enterprises

__all__ = [
    "load_sample",
    "load_sample_events",
    "load_sample_frames",
    "load_sample_outcomes",
    "load_sample_tenants",
    "sample_dir",
    "write_sample",
]


def sample_dir() -> Path:
    """The folder holding the bundled sample files (``parks.csv``, ``enterprises.csv``).

    An installed wheel carries them in ``matcher/_sample``; a source checkout in ``datasets/``.

    Raises
    ------
    FileNotFoundError
        If neither folder exists.

    Examples
    --------
    >>> (sample_dir() / "parks.csv").is_file()
    True
    """
    package = Path(__file__).resolve().parents[1]  # matcher/
    candidates = (package / "_sample", package.parent / "datasets")
    for folder in candidates:
        if folder.is_dir():
            return folder
    looked = "、".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"找不到内置示例数据目录（已查找：{looked}）；请重新安装 parkmatch 或在源码目录中运行。"
        f" Bundled sample data not found (looked in: {looked}); reinstall parkmatch or run"
        " from a source checkout."
    )


def load_sample_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the bundled ``parks.csv`` and ``enterprises.csv`` as raw string frames.

    Returns
    -------
    (parks, enterprises) : tuple of pandas.DataFrame
        Every cell a string; blank cells are missing. Not validated.

    Examples
    --------
    >>> parks, enterprises = load_sample_frames()
    >>> "GY-LZ-AL" in set(parks["park_id"]), len(enterprises) > 0
    (True, True)
    """
    folder = sample_dir()
    options: dict[str, Any] = {
        "dtype": str,
        "keep_default_na": False,
        "na_values": [""],
        "encoding": "utf-8-sig",
    }
    parks = pd.read_csv(folder / "parks.csv", **options)
    enterprises = pd.read_csv(folder / "enterprises.csv", **options)
    return parks, enterprises


def load_sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled Zhengzhou sample, validated: ``(parks, enterprises)``.

    Raises
    ------
    matcher.exceptions.SchemaError
        If the bundled files were damaged.
    """
    parks, enterprises = load_sample_frames()
    return (
        validate_parks(parks, file="parks.csv"),
        validate_enterprises(enterprises, file="enterprises.csv"),
    )


def write_sample(
    directory: str | Path, *, n: int = 3000, random_state: int = 2022
) -> dict[str, Path]:
    """Write the sample: ``parks.csv``, ``enterprises.csv`` and ``enterprises.xlsx``.

    ``parks.csv`` is a copy of the bundled parks; ``enterprises.csv`` (UTF-8 with BOM, so that
    Excel opens it) holds :func:`make_enterprises` ``(n, random_state=random_state)`` with
    English headers, and ``enterprises.xlsx`` the same rows with Chinese headers
    (:data:`ENTERPRISE_HEADERS_ZH`).

    Parameters
    ----------
    directory : str or Path
        Output folder (created if needed).
    n : int, default 3000
        Number of enterprises.
    random_state : int, default 2022
        Seed of the generator.

    Returns
    -------
    dict of str to Path
        The paths written, keyed ``parks``, ``enterprises`` and ``enterprises_xlsx``.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    parks_src = sample_dir() / "parks.csv"
    parks_dst = out / "parks.csv"
    if not (parks_dst.exists() and parks_dst.samefile(parks_src)):
        shutil.copyfile(parks_src, parks_dst)
    frame = make_enterprises(n, random_state=random_state)
    csv_path = out / "enterprises.csv"
    frame.to_csv(csv_path, index=False, encoding="utf-8-sig")
    xlsx_path = out / "enterprises.xlsx"
    frame.rename(columns=ENTERPRISE_HEADERS_ZH).to_excel(xlsx_path, index=False, sheet_name="企业")
    return {"parks": parks_dst, "enterprises": csv_path, "enterprises_xlsx": xlsx_path}


def load_sample_tenants() -> pd.DataFrame:
    """The tenants of the bundled sample parks (``datasets/tenants.csv``), validated.

    Tenants were drawn from the sample enterprises of each park's industries, leaving some
    chain nodes thin or missing on purpose, so that chain reports have gaps to find.

    Examples
    --------
    >>> tenants = load_sample_tenants()
    >>> list(tenants.columns[:2]), "GY-LZ-AL" in set(tenants["park_id"])
    (['park_id', 'enterprise_id'], True)
    """
    path = sample_dir() / "tenants.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return validate_tenants(frame, file="tenants.csv")


def load_sample_events() -> pd.DataFrame:
    """The bundled ``events.csv`` drawn for the sample enterprises, validated.

    It was written by ``make_events(load_sample()[1], random_state=2022)``
    (``tools/build_sample_events.py``) for the assessment date
    :data:`matcher.datasets.SAMPLE_EVENTS_AS_OF`; the ids match :func:`~matcher.load_sample`.

    Examples
    --------
    >>> from matcher.io import EVENT_KINDS
    >>> events = load_sample_events()
    >>> set(events["kind"]) <= set(EVENT_KINDS)
    True
    """
    return load_events(sample_dir() / "events.csv")


def load_sample_outcomes() -> pd.DataFrame:
    """The bundled ``outcomes.csv`` drawn from the sample data, validated.

    It was written by ``make_outcomes(*load_sample(), random_state=2022)``; the ids match
    :func:`~matcher.load_sample`.
    """
    return load_outcomes(sample_dir() / "outcomes.csv")
