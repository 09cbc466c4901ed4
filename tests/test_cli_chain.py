"""``parkmatch chain`` and ``parkmatch allocate`` end to end."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher.io import write_table

from .cli_runner import run
from .test_chains import case_frames


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    parks, ents, tenants = case_frames()
    return {
        "parks": write_table(parks, tmp_path / "parks.csv"),
        "enterprises": write_table(ents, tmp_path / "enterprises.xlsx"),
        "tenants": write_table(tenants.rename(columns={"park_id": "园区编号"}), tmp_path / "t.csv"),
    }


def test_chain_on_the_sample(monkeypatch, capsys, tmp_path) -> None:
    target = tmp_path / "report.xlsx"
    code, out, err = run(
        monkeypatch, capsys, "chain", "--park", "GY-LZ-AL", "-k", "2", "--output", str(target)
    )
    assert code == 0, err
    assert "铝产业链" in out and "○" in out and "补链、强链、延链线索" in out
    assert pd.read_excel(target, sheet_name="补链线索")["企业名称"].notna().all()


def test_chain_from_files(monkeypatch, capsys, files) -> None:
    common = ["chain", "--parks", str(files["parks"]), "--enterprises", str(files["enterprises"])]
    code, out, err = run(
        monkeypatch, capsys, *common, "--park", "P-AL", "--tenants", str(files["tenants"])
    )
    assert code == 0, err
    assert "[缺失] 汽车轻量化零部件" in out and "轻量化部件公司" in out
    code, out, err = run(monkeypatch, capsys, *common, "--park", "P-AL")
    assert code == 0 and "未指定 --tenants" in err and "入驻情况未知" in out


def test_chain_errors_are_one_line(monkeypatch, capsys, tmp_path) -> None:
    code, _, err = run(monkeypatch, capsys, "chain", "--park", "NOPE")
    assert code == 1 and "未找到园区编号 'NOPE'" in err and len(err.strip().splitlines()) <= 2
    code, _, err = run(
        monkeypatch, capsys, "chain", "--park", "GY-LZ-AL", "-o", str(tmp_path / "r.csv")
    )
    assert code != 0 and ".xlsx" in err


def test_allocate_on_the_sample(monkeypatch, capsys, tmp_path) -> None:
    target = tmp_path / "plan.xlsx"
    code, out, err = run(
        monkeypatch,
        capsys,
        "allocate",
        "--park",
        "GY-LZ-AL,SJ-TH",
        "--park",
        "ZM-QP",
        "--max-per-park",
        "3",
        "--candidates",
        "15",
        "--output",
        str(target),
    )
    assert code == 0, err
    assert "分配方案：3 个园区，分配 9 家企业" in out
    plan = pd.read_excel(target, sheet_name="分配方案")
    assert len(plan) == 9 and not plan["企业编号"].duplicated().any()
    assert set(plan["园区编号"]) == {"GY-LZ-AL", "SJ-TH", "ZM-QP"}


def test_allocate_options_and_errors(monkeypatch, capsys, files, tmp_path) -> None:
    common = [
        "allocate",
        "--parks",
        str(files["parks"]),
        "--enterprises",
        str(files["enterprises"]),
    ]
    target = tmp_path / "plan.csv"
    code, _, err = run(
        monkeypatch,
        capsys,
        *common,
        "--tenants",
        str(files["tenants"]),
        "--reciprocal",
        "-o",
        str(target),
    )
    assert code == 0, err
    frame = pd.read_csv(target)
    assert {"T1", "T2", "T3", "T4"}.isdisjoint(set(frame["enterprise_id"]))  # tenants stay put
    code, _, err = run(monkeypatch, capsys, *common, "--default-space", "lots")
    assert code != 0 and "--default-space" in err
    code, _, err = run(monkeypatch, capsys, *common, "--park", "P-AL,NOPE")
    assert code == 1 and "NOPE" in err
