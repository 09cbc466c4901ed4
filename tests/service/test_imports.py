"""Imports: whole-file validation first, all-or-nothing writes, insert-or-update by id, 413."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from matcher import load_sample

from .conftest import (
    ENTERPRISES_CSV,
    LI,
    PARKS_CSV,
    ZHANG,
    make_settings,
    running,
    upload,
    wait_index,
)


def _all(client, path: str) -> list[dict]:
    body = client.get(path, params={"limit": 500}).json()
    assert body["count"] == len(body["data"])
    return body["data"]


def _without_times(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("created_at", "updated_at")} for r in rows]


def test_import_reports_inserted_then_updated(client):
    r = upload(client, "enterprises", ENTERPRISES_CSV)
    assert r.status_code == 200
    body = r.json()
    assert (body["kind"], body["rows"], body["inserted"], body["updated"]) == (
        "enterprises",
        8,
        0,
        8,
    )
    assert body["file"] == "enterprises.csv" and body["dry_run"] is False
    assert body["index"]["model"]["name"] == "default"


def test_import_stores_the_validated_normalised_rows(client):
    e2 = client.get("/enterprises/E2").json()
    assert e2["industry_code"] == "3252"  # written C3252
    assert e2["srdi_level"] == "provincial"  # written 省级专精特新
    assert e2["high_tech"] is False
    assert e2["location_source"] == "county" and e2["lat"] is not None
    assert e2["size_class"] is not None and e2["size_class_source"] == "derived"
    park = client.get("/parks/P-AL").json()
    assert park["leading_industries"] == ["3252", "3392"]
    assert park["excluded_industries"] == ["3216"]


def test_bad_rows_in_the_middle_leave_the_database_unchanged(client):
    before = _without_times(_all(client, "/enterprises"))
    lines = ENTERPRISES_CSV.splitlines()
    header, rows = lines[0], lines[1:]
    changed = [r.replace("巩义市恒达铝业有限公司", "改名铝业") for r in rows]  # a valid update…
    bad = [
        "E20,新企业甲,3252,铝型材,铝型材,-3,100,,,,河南省,郑州市,巩义市,100",  # negative employees
        "E21,新企业乙,99999,铝型材,铝型材,10,100,,,,河南省,郑州市,巩义市,100",  # unknown code
    ]
    text = "\n".join([header, *changed[:4], *bad, *changed[4:], "E22,新企业丙,,,,,,,,,,,,"])
    r = upload(client, "enterprises", text)
    assert r.status_code == 422
    body = r.json()
    problems = body["problems"]
    assert {(p["row"], p["column"]) for p in problems} == {(6, "employees"), (7, "industry_code")}
    assert all(p["file"] == "enterprises.csv" and p["expected"] for p in problems)
    assert {p["value"] for p in problems} == {"-3", "99999"}
    assert "未写入" in body["detail"]
    assert _without_times(_all(client, "/enterprises")) == before


def test_import_accepts_xlsx_with_chinese_headers(client):
    frame = pd.DataFrame(
        {
            "企业编号": ["X1", "E3"],
            "企业名称": ["郑州新材料有限公司", "新郑速冻食品有限公司（更名）"],
            "行业代码": ["3089", "1432"],
            "区县": ["登封市", "新郑市"],
            "从业人员": ["20", "60"],
        }
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    r = upload(client, "enterprises", buffer.getvalue(), name="企业名单.xlsx")
    assert r.status_code == 200, r.json()
    assert (r.json()["inserted"], r.json()["updated"]) == (1, 1)
    assert client.get("/enterprises/E3").json()["name"] == "新郑速冻食品有限公司(更名)"  # NFKC
    assert client.get("/enterprises/X1").json()["county"] == "登封市"


def test_dry_run_validates_and_counts_but_writes_nothing(client):
    text = ENTERPRISES_CSV + "E30,新企业,3252,,,,,,,,,,,\n"
    r = upload(client, "enterprises", text, dry_run=True)
    assert r.status_code == 200
    assert (r.json()["inserted"], r.json()["updated"], r.json()["dry_run"]) == (1, 8, True)
    assert client.get("/enterprises/E30").status_code == 404


def test_tenants_import_checks_ids_against_the_database(client):
    bad = "park_id,enterprise_id\nP-AL,E1\nP-XX,E2\nP-AL,E99\n"
    r = upload(client, "tenants", bad)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert {(p["row"], p["column"], p["value"]) for p in problems} == {
        (3, "park_id", "P-XX"),
        (4, "enterprise_id", "E99"),
    }
    assert client.get("/tenants").json()["count"] == 0
    good = "园区编号,企业编号\nP-AL,E1\nP-AL,E2\n"
    r = upload(client, "tenants", good)
    assert r.status_code == 200
    assert (r.json()["inserted"], r.json()["unchanged"]) == (2, 0)
    again = upload(client, "tenants", good).json()
    assert (again["inserted"], again["unchanged"]) == (0, 2)
    wait_index(client)
    assert client.get("/health").json()["index"]["tenants"] == 2


def test_park_import_rejects_unknown_weight_families(client):
    text = PARKS_CSV.replace("excluded_industries\n", "excluded_industries,weight_colour\n", 1)
    lines = text.splitlines()
    text = "\n".join([lines[0], lines[1] + ",0.5", lines[2] + ","]) + "\n"
    r = upload(client, "parks", text)
    assert r.status_code == 422
    assert r.json()["problems"][0]["row"] == 2
    assert "colour" in r.json()["problems"][0]["message"]


def test_park_weights_are_kept_and_used(client):
    text = PARKS_CSV.replace("excluded_industries\n", "excluded_industries,weight_industry\n", 1)
    lines = text.splitlines()
    text = "\n".join([lines[0], lines[1] + ",0.9", lines[2] + ","]) + "\n"
    assert upload(client, "parks", text).status_code == 200
    assert client.get("/parks/P-AL").json()["weights"] == {"industry": 0.9}
    assert client.get("/parks/P-FOOD").json()["weights"] == {}
    wait_index(client)
    detail = client.get("/parks/P-AL/leads/E1").json()["explanation"]
    assert detail["weights"]["industry"] > 0.5  # 0.9 against the other defaults, normalised


def test_unknown_extra_columns_are_kept(client):
    text = ENTERPRISES_CSV.replace("space_need_sqm\n", "space_need_sqm,招商来源\n", 1)
    lines = text.splitlines()
    text = "\n".join([lines[0], lines[1] + ",展会", *(line + "," for line in lines[2:])]) + "\n"
    assert upload(client, "enterprises", text).status_code == 200
    assert client.get("/enterprises/E1").json()["extra"] == {"招商来源": "展会"}
    wait_index(client)
    assert client.get("/health").json()["index"]["state"] == "ready"


def test_unreadable_files_are_422(client):
    r = upload(client, "parks", b"", name="parks.csv")
    assert r.status_code == 422
    assert "为空" in r.json()["detail"]
    r = upload(client, "parks", b"%PDF-1.4", name="parks.pdf")
    assert r.status_code == 422
    assert ".pdf" in r.json()["detail"]
    r = upload(client, "parks", "a,b\n1,2\n")
    assert r.status_code == 422
    assert {p["column"] for p in r.json()["problems"]} >= {"园区编号", "园区名称"}


def test_numbers_too_large_to_store_are_422_not_500(client):
    huge = "enterprise_id,name,employees\nZ1,某企业,99999999999999999999999\n"
    r = upload(client, "enterprises", huge)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(2, "employees")]
    assert "不超过" in problems[0]["expected"]
    body = {"enterprise_id": "Z2", "name": "某企业", "patents": 10**30}
    r = client.post("/enterprises", json=body, headers=ZHANG)
    assert r.status_code == 422
    assert client.get("/enterprises", params={"q": "某企业"}).json()["count"] == 0


def test_import_kind_must_be_known(client):
    r = upload(client, "models", PARKS_CSV)
    assert r.status_code == 422
    assert "kind" in r.json()["detail"]


def test_oversize_upload_is_413_and_nothing_is_written(tmp_path):
    with running(make_settings(tmp_path, max_upload_mb=0.01)) as client:
        big = "park_id,name\n" + "".join(f"P{i:05d},园区{i}\n" for i in range(2000))
        assert len(big.encode()) > 0.01 * 1024 * 1024
        r = upload(client, "parks", big)
        assert r.status_code == 413
        assert "上限" in r.json()["detail"]
        assert client.get("/parks").json()["count"] == 0
        small = "park_id,name\nP1,园区一\n"
        assert upload(client, "parks", small).status_code == 200


def test_streamed_body_without_length_is_cut_off_with_413(tmp_path):
    with running(make_settings(tmp_path, max_upload_mb=0.01)) as client:

        def chunks():
            yield b"--b\r\nContent-Disposition: form-data; name=file; filename=p.csv\r\n\r\n"
            for _ in range(100):
                yield b"x" * 1024

        headers = {**ZHANG, "Content-Type": "multipart/form-data; boundary=b"}
        r = client.post("/imports/parks", content=chunks(), headers=headers)
        assert r.status_code == 413
        assert client.get("/parks").json()["count"] == 0


def test_oversize_json_body_is_413(shared_client):
    r = shared_client.post(
        "/match",
        content=b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert "请求体" in r.json()["detail"]


def test_sample_files_import_like_an_officer_uploads_them(tmp_path):
    folder = Path(__file__).resolve().parents[2] / "datasets"
    parks, enterprises = load_sample()
    with running(make_settings(tmp_path)) as client:
        for kind in ("parks", "enterprises"):
            content = (folder / f"{kind}.csv").read_bytes()
            r = upload(client, kind, content, name=f"{kind}.csv", headers=LI)
            assert r.status_code == 200
        wait_index(client)
        index = client.get("/health").json()["index"]
        assert (index["parks"], index["enterprises"]) == (len(parks), len(enterprises))
