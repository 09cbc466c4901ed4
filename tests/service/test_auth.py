"""API keys: writes need one; reads are open unless configured otherwise."""

from __future__ import annotations

import json

import pytest

from .conftest import PARKS_CSV, ZHANG, make_settings, running, upload

WRITES = [
    ("post", "/parks", {"json": {"park_id": "P9", "name": "园区九"}}),
    ("patch", "/parks/P-AL", {"json": {"name": "新名"}}),
    ("delete", "/parks/P-AL", {}),
    ("post", "/enterprises", {"json": {"enterprise_id": "E9", "name": "企业九"}}),
    ("patch", "/enterprises/E1", {"json": {"name": "新名"}}),
    ("delete", "/enterprises/E1", {}),
    ("put", "/parks/P-AL/leads/E1", {"json": {"status": "contacted"}}),
    ("post", "/tenants", {"json": {"park_id": "P-AL", "enterprise_id": "E1"}}),
    ("delete", "/tenants/P-AL/E1", {}),
    ("post", "/imports/parks", {"files": {"file": ("parks.csv", PARKS_CSV.encode())}}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), WRITES)
def test_writes_without_key_are_401_and_with_wrong_key_403(shared_client, method, path, kwargs):
    client = shared_client
    before = client.get("/parks/P-AL").json()
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code == 401
    assert "X-API-Key" in r.json()["detail"]
    r = getattr(client, method)(path, headers={"X-API-Key": "wrong"}, **kwargs)
    assert r.status_code == 403
    assert "无效" in r.json()["detail"]
    assert client.get("/parks/P-AL").json() == before
    assert client.get("/enterprises/E1").status_code == 200


def test_no_keys_configured_refuses_every_write_with_a_clear_message(tmp_path):
    with running(make_settings(tmp_path, api_keys={})) as client:
        r = upload(client, "parks", PARKS_CSV, headers={"X-API-Key": "anything"})
        assert r.status_code == 403
        assert "PARKMATCH_API_KEYS" in r.json()["detail"]
        r = client.post("/parks", json={"park_id": "P1", "name": "园区"})
        assert r.status_code == 403
        assert client.get("/parks").status_code == 200  # reads stay open
        assert client.get("/parks").json()["count"] == 0


def test_closed_reads_need_a_key_but_health_stays_open(tmp_path):
    with running(make_settings(tmp_path, reads_open=False)) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/parks").status_code == 401
        assert client.get("/parks", headers={"X-API-Key": "wrong"}).status_code == 403
        assert client.get("/parks", headers=ZHANG).status_code == 200
        assert client.get("/leads").status_code == 401
        assert client.post("/match", json={}).status_code == 401


def test_keys_are_read_from_the_environment_as_json(monkeypatch, tmp_path):
    from service.config import Settings

    monkeypatch.setenv("PARKMATCH_API_KEYS", '{"wangwu": "s3cret-s3cret-s3cret"}')
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("PARKMATCH_MAX_UPLOAD_MB", "2.5")
    settings = Settings(_env_file=None)
    assert settings.api_keys["wangwu"].get_secret_value() == "s3cret-s3cret-s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.resolved_database_url.endswith("x.db")
    assert settings.max_upload_bytes == int(2.5 * 1024 * 1024)


def test_env_file_is_read(monkeypatch, tmp_path):
    from service.config import Settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PARKMATCH_READS_OPEN=false\nPARKMATCH_PORT=8123\n")
    settings = Settings()
    assert settings.reads_open is False and settings.port == 8123
    assert (
        Settings(_env_file=None).resolved_database_url == f"sqlite:///{tmp_path / 'parkmatch.db'}"
    )


@pytest.mark.parametrize("key", ["x", "short-key-15chr", ""])
def test_short_api_keys_are_refused_at_start(monkeypatch, key):
    """Defect 9: a one-character key used to be accepted silently."""
    from pydantic import ValidationError

    from service.config import MIN_KEY_LENGTH, Settings

    monkeypatch.setenv("PARKMATCH_API_KEYS", json.dumps({"zhaoliu": key}))
    with pytest.raises(ValidationError, match=f"至少 {MIN_KEY_LENGTH} 个字符") as err:
        Settings(_env_file=None)
    assert "zhaoliu" in str(err.value)
    assert len(key) < 2 or key not in str(err.value)  # the key itself is never echoed
