"""``POST /imports/{kind}?on_error=skip``: the valid rows are imported, the rejected rows are
counted and downloadable with their problems; the default stays all-or-nothing."""

from __future__ import annotations

import io

import pandas as pd

from matcher.io import REJECTED_COLUMNS

from .conftest import ENTERPRISES_CSV, PARKS_CSV, ZHANG, make_settings, running, upload

HEADER, *ROWS = ENTERPRISES_CSV.splitlines()
BAD = [
    "E20,新企业甲,3252,铝型材,铝型材,-3,100,,,,河南省,郑州市,巩义市,100",  # negative employees
    "E21,新企业乙,99999,铝型材,铝型材,10,100,,,,河南省,郑州市,巩义市,100",  # unknown code
]
BROKEN = "E22,新企业丙,3252,铝型材,铝,型,材,10,100,,,,河南省,郑州市,巩义市,100"  # 2 fields more
MESSY = "\n".join([HEADER, *ROWS[:3], *BAD, BROKEN, *ROWS[3:]]) + "\n"


def test_skip_imports_the_valid_rows_and_keeps_the_rejected_ones(tmp_path):
    with running(make_settings(tmp_path, seed_sample=False)) as client:
        assert upload(client, "parks", PARKS_CSV).status_code == 200
        r = upload(client, "enterprises", MESSY, on_error="skip")
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["rows"], body["inserted"], body["rejected"]) == (len(ROWS), len(ROWS), 3)
        ids = {e["enterprise_id"] for e in client.get("/enterprises").json()["data"]}
        assert ids == {line.split(",")[0] for line in ROWS}
        url = body["rejected_url"]
        assert url.startswith("/imports/rejected/")
        assert client.get(url).status_code == 401  # needs a key, like the import
        download = client.get(url, headers=ZHANG)
        assert download.status_code == 200
        assert "rejected-" in download.headers["content-disposition"]
        rejected = pd.read_csv(io.BytesIO(download.content), dtype=str, encoding="utf-8-sig")
        assert list(rejected.columns) == [*HEADER.split(","), *REJECTED_COLUMNS]
        assert rejected["原行号"].tolist() == ["5", "6", "7"]
        assert rejected["enterprise_id"].tolist()[:2] == ["E20", "E21"]
        assert rejected.loc[0, "问题列"] == "employees"
        assert rejected.loc[1, "问题列"] == "industry_code" and rejected.loc[1, "问题值"] == "99999"
        assert "无法解析" in rejected.loc[2, "问题"] and rejected.loc[2, "问题值"] == BROKEN


def test_default_stays_all_or_nothing_and_names_broken_lines(tmp_path):
    with running(make_settings(tmp_path, seed_sample=False)) as client:
        r = upload(client, "enterprises", MESSY)
        assert r.status_code == 422
        problems = r.json()["problems"]
        assert [(p["row"], "无法解析" in p["message"]) for p in problems] == [(7, True)]
        assert client.get("/enterprises").json()["count"] == 0
        r = upload(client, "enterprises", MESSY.replace(BROKEN + "\n", ""))
        assert r.status_code == 422 and {p["row"] for p in r.json()["problems"]} == {5, 6}
        assert client.get("/enterprises").json()["count"] == 0


def test_skip_with_dry_run_counts_and_writes_nothing(tmp_path):
    with running(make_settings(tmp_path, seed_sample=False)) as client:
        r = upload(client, "enterprises", MESSY, on_error="skip", dry_run="true")
        assert r.status_code == 200
        assert (r.json()["rows"], r.json()["rejected"], r.json()["dry_run"]) == (len(ROWS), 3, True)
        assert client.get("/enterprises").json()["count"] == 0


def test_skip_still_refuses_a_problem_of_the_whole_file(tmp_path):
    with running(make_settings(tmp_path, seed_sample=False)) as client:
        text = "enterprise_id,products\nE1,铝板\n"
        r = upload(client, "enterprises", text, on_error="skip")
        assert r.status_code == 422 and "缺少必填列" in r.text
        assert upload(client, "enterprises", MESSY, on_error="maybe").status_code == 422
