"""The index: rebuilt in the background after writes, the old one serving meanwhile."""

from __future__ import annotations

import threading

import pytest

from matcher import ConfigError, Matcher
from service.main import create_app
from service.registry import ModelRegistry, ModelSpec

from .conftest import (
    ENTERPRISES_CSV,
    PARKS_CSV,
    ZHANG,
    TestClient,
    make_settings,
    upload,
    wait_index,
)


class Gate:
    """A model whose builds wait for the test to open the gate, and can be made to fail."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.builds = 0
        self.fail = False

    def build(self) -> Matcher:
        assert self.open.wait(30)
        self.builds += 1
        if self.fail:
            raise ConfigError("测试：模型构建失败")
        return Matcher()


@pytest.fixture
def gated(tmp_path):
    gate = Gate()
    registry = ModelRegistry()
    registry.register(ModelSpec("gated", "gated test scorer", "测试评分器", gate.build))
    app = create_app(make_settings(tmp_path), registry=registry)
    with TestClient(app) as client:
        upload(client, "parks", PARKS_CSV)
        upload(client, "enterprises", ENTERPRISES_CSV)
        wait_index(client)
        yield client, gate


def test_reads_use_the_old_index_while_the_new_one_fits(gated):
    client, gate = gated
    before = client.get("/parks/P-AL/leads").json()
    gate.open.clear()
    new_park = {
        "park_id": "P-NEW",
        "name": "新园区",
        "leading_industries": "3252",
        "county": "荥阳市",
    }
    assert client.post("/parks", json=new_park, headers=ZHANG).status_code == 201
    health = client.get("/health").json()
    assert health["index"]["state"] == "fitting" and health["index"]["pending"] is True
    assert health["status"] == "ok"  # the old index still serves
    during = client.get("/parks/P-AL/leads").json()
    assert during["index_version"] == before["index_version"]
    assert during["data"] == before["data"]
    r = client.get("/parks/P-NEW/leads")  # in the database, not yet in the index
    assert r.status_code == 503
    assert r.headers["Retry-After"] and "重建" in r.json()["detail"]
    gate.open.set()
    wait_index(client)
    after = client.get("/parks/P-NEW/leads")
    assert after.status_code == 200
    assert after.json()["index_version"] > before["index_version"]


def test_writes_during_a_rebuild_are_coalesced(gated):
    client, gate = gated
    builds = gate.builds
    gate.open.clear()
    for i in range(5):
        body = {"enterprise_id": f"C{i}", "name": f"企业{i}", "industry_code": "3252"}
        assert client.post("/enterprises", json=body, headers=ZHANG).status_code == 201
    gate.open.set()
    wait_index(client)
    assert gate.builds - builds <= 2  # the running build, then one for everything queued
    assert client.get("/health").json()["index"]["enterprises"] == 8 + 5


def test_a_failed_rebuild_keeps_serving_and_says_why(gated):
    client, gate = gated
    before = client.get("/parks/P-AL/leads").json()
    gate.fail = True
    client.patch("/parks/P-AL", json={"positioning": "铝型材"}, headers=ZHANG)
    wait_index(client)
    health = client.get("/health").json()
    assert health["index"]["state"] == "failed" and health["status"] == "degraded"
    assert "模型构建失败" in health["index"]["error"]
    assert client.get("/parks/P-AL/leads").json()["index_version"] == before["index_version"]
    gate.fail = False
    client.patch("/parks/P-AL", json={"positioning": "铝板带箔"}, headers=ZHANG)
    wait_index(client)
    health = client.get("/health").json()
    assert health["index"]["state"] == "ready" and health["index"]["error"] is None


def test_responses_name_the_model_that_produced_them(gated):
    client, _ = gated
    assert client.get("/parks/P-AL/leads").json()["model"] == {
        "name": "gated",
        "description": "gated test scorer",
        "label": "测试评分器",
    }
    assert client.get("/enterprises/E1/parks").json()["model"]["name"] == "gated"
    assert client.get("/parks/P-AL/leads/E1").json()["model"]["name"] == "gated"
    assert client.get("/health").json()["index"]["model"]["name"] == "gated"


def test_registry_activates_only_known_models():
    registry = ModelRegistry()
    registry.register(ModelSpec("a", "model a", "模型甲", Matcher))
    registry.register(ModelSpec("b", "model b", "模型乙", Matcher))
    assert registry.active.name == "a"
    assert registry.activate("b").name == "b" and registry.active.name == "b"
    with pytest.raises(ConfigError, match="未知的模型"):
        registry.activate("c")
    assert [s.name for s in registry.specs()] == ["a", "b"]


def test_a_half_written_or_foreign_snapshot_is_never_served(client):
    """A version whose folder is incomplete, changed or signed with another key is refused
    before anything in it is loaded; the process keeps serving a good version (it publishes a
    good one in place of the refused one) and never the refused one."""
    import shutil

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from service import store

    indexer = client.app.state.indexer
    V = store.IndexVersion
    for damage in ("truncate", "foreign"):
        with Session(indexer.engine) as session:
            newest = session.scalars(select(V).order_by(V.version.desc())).first()
            assert newest is not None and newest.folder
            bad = indexer.snapshot_dir / f"{newest.folder}-{damage}"
            if damage == "truncate":
                shutil.copytree(indexer.snapshot_dir / newest.folder, bad)
                npy = sorted((bad / "enterprises").glob("*.npy"))[0]
                npy.write_bytes(npy.read_bytes()[:16])
            else:
                indexer.snapshot.matcher.save(bad, key="another-server-secret-0123")
            bad_version = newest.version + 1
            session.add(
                V(
                    version=bad_version,
                    data_version=newest.data_version,
                    folder=bad.name,
                    model=newest.model,
                    fit_seconds=0.0,
                    n_parks=newest.n_parks,
                    n_enterprises=newest.n_enterprises,
                    n_tenants=newest.n_tenants,
                    skipped={},
                    created_at=store.utcnow(),
                    created_by="test",
                )
            )
            session.commit()
        assert indexer.wait(60)
        served = client.get("/parks/P-AL/leads").json()["index_version"]
        assert served != bad_version and bad_version in indexer._refused
        with Session(indexer.engine) as session:
            assert session.scalar(select(func.max(V.version))) == served  # a good one replaced it
        assert client.get("/health").json()["index"]["state"] == "ready"
