"""Exposure logging: a tracked lead keeps the rank, model and index version it was shown with;
exploration pages shuffle their top block with a known propensity; the ledger export carries it
all into the library's counterfactual evaluation."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, inspect, text

from matcher import Matcher
from matcher.io import validate_enterprises, validate_parks
from matcher.learning import (
    examination_of,
    labelled_pairs,
    logged_ranks,
    ranking_contacts,
    validate_outcomes,
)
from service import store
from service.config import Settings

from .conftest import ENTERPRISES_CSV, PARKS_CSV, ZHANG, make_settings, running, upload, wait_index

DEPTH = 3


@contextmanager
def exploring_app(folder: Path, share: float = 1.0) -> Iterator:
    """The literal data in an app that shuffles the top ``DEPTH`` leads of ``share`` of pages."""
    settings = make_settings(folder, exploration=share, exploration_depth=DEPTH)
    with running(settings) as c:
        assert upload(c, "parks", PARKS_CSV).status_code == 200
        assert upload(c, "enterprises", ENTERPRISES_CSV).status_code == 200
        wait_index(c)
        yield c


def test_a_tracked_lead_keeps_the_rank_model_and_index_version_it_was_shown_with(client):
    page = client.get("/parks/P-AL/leads", params={"limit": 20}).json()
    assert page["exploration"] is False
    assert {row["source"] for row in page["data"]} == {"ranking"}
    shown = page["data"][1]
    r = client.put(
        f"/parks/P-AL/leads/{shown['enterprise_id']}", json={"status": "contacted"}, headers=ZHANG
    )
    tracking = r.json()
    assert tracking["source"] == "ranking"
    assert tracking["shown_rank"] == shown["rank"] == 2
    assert tracking["shown_model"] == page["model"]["name"] == "default"
    assert tracking["shown_index_version"] == page["index_version"]
    assert tracking["shown_propensity"] is None and tracking["shown_at"] is not None
    # a later change keeps what the lead was first tracked from
    client.get("/parks/P-AL/leads", params={"limit": 1})  # now shown elsewhere
    later = client.put(
        f"/parks/P-AL/leads/{shown['enterprise_id']}", json={"status": "visited"}, headers=ZHANG
    ).json()
    assert later["shown_rank"] == 2
    detail = client.get(f"/parks/P-AL/leads/{shown['enterprise_id']}").json()
    assert detail["tracking"]["shown_rank"] == 2


def test_leads_never_shown_or_from_the_officers_own_network_have_no_rank(client):
    never = client.put("/parks/P-FOOD/leads/E3", json={"status": "contacted"}, headers=ZHANG)
    assert never.json()["source"] is None and never.json()["shown_rank"] is None
    client.get("/parks/P-AL/leads")
    own = client.put(
        "/parks/P-AL/leads/E1", json={"status": "contacted", "source": "自有渠道"}, headers=ZHANG
    ).json()
    assert own["source"] == "own" and own["shown_rank"] is None
    bad = client.put(
        "/parks/P-AL/leads/E2", json={"status": "contacted", "source": "random"}, headers=ZHANG
    )
    assert bad.status_code == 422 and "source" in bad.json()["detail"]


def test_exploration_pages_shuffle_the_top_block_with_a_known_propensity(tmp_path):
    with exploring_app(tmp_path) as c:
        model_order = c.get("/exports/parks/P-AL/leads", params={"format": "csv"})
        top = pd.read_csv(io.BytesIO(model_order.content))["企业编号"].tolist()[:DEPTH]
        firsts: Counter[str] = Counter()
        for _ in range(40):
            page = c.get("/parks/P-AL/leads", params={"limit": 20}).json()
            assert page["exploration"] is True
            block, rest = page["data"][:DEPTH], page["data"][DEPTH:]
            assert sorted(r["enterprise_id"] for r in block) == sorted(top)
            assert [r["rank"] for r in block] == [1, 2, 3]
            assert {r["source"] for r in block} == {"random"}
            assert all(r["propensity"] == pytest.approx(1 / DEPTH) for r in block)
            assert {r["source"] for r in rest} <= {"ranking"}
            firsts[block[0]["enterprise_id"]] += 1
        assert set(firsts) == set(top)  # every lead of the block gets the first place
        # pages that cannot hold the block are never shuffled
        small = c.get("/parks/P-AL/leads", params={"limit": DEPTH - 1}).json()
        second = c.get("/parks/P-AL/leads", params={"offset": 1}).json()
        assert not small["exploration"] and not second["exploration"]


def test_exploration_logging_end_to_end_through_the_service(tmp_path):
    """Pages shown, leads tracked, the ledger exported: the library reads the exploration rows
    and estimates the position curve from them."""
    with exploring_app(tmp_path) as c:
        tracked = {}
        for park, status in (("P-AL", "visited"), ("P-FOOD", "contacted")):
            page = c.get(f"/parks/{park}/leads", params={"limit": 20}).json()
            for row in page["data"][:2]:
                c.put(
                    f"/parks/{park}/leads/{row['enterprise_id']}",
                    json={"status": "contacted"},
                    headers=ZHANG,
                )
                c.put(
                    f"/parks/{park}/leads/{row['enterprise_id']}",
                    json={"status": status},
                    headers=ZHANG,
                )
                tracked[(park, row["enterprise_id"])] = row
        key = next(iter(tracked))
        c.put(f"/parks/{key[0]}/leads/{key[1]}", json={"status": "已放弃"}, headers=ZHANG)
        c.put("/parks/P-AL/leads/E8", json={"status": "new"}, headers=ZHANG)  # not a contact yet
        exported = c.get("/exports/outcomes", params={"format": "csv"})
        assert exported.status_code == 200
        assert "attachment" in exported.headers["content-disposition"]
        raw = pd.read_csv(io.BytesIO(exported.content), dtype=str, encoding="utf-8-sig")
        assert {"跟进结果", "最远进展", "线索来源", "展示名次", "排序模型", "展示概率"} <= set(raw)
        ledger = validate_outcomes(raw)
        assert len(ledger) == len(tracked)  # the 新线索 is left out
        rows = ledger.set_index(["park_id", "enterprise_id"])
        for (park, ent), shown in tracked.items():
            assert rows.loc[(park, ent), "source"] == "random"
            assert rows.loc[(park, ent), "shown_rank"] == shown["rank"]
            assert rows.loc[(park, ent), "propensity"] == pytest.approx(1 / DEPTH)
            assert rows.loc[(park, ent), "scorer"] == "default"
        assert rows.loc[key, "outcome"] == "declined"  # abandoned after a visit…
        assert rows.loc[key, "stage_reached"] == "visited"  # …still reached the visit
        assert rows["first_contact"].notna().all()
        food = c.get("/exports/outcomes", params={"park_id": "P-FOOD", "format": "csv"})
        one_park = validate_outcomes(
            pd.read_csv(io.BytesIO(food.content), dtype=str, encoding="utf-8-sig")
        )
        assert set(one_park["park_id"]) == {"P-FOOD"}
        assert c.get("/exports/outcomes", params={"park_id": "NOPE"}).status_code == 404
    # the library: these are exploration contacts, and the curve comes from them
    parks = validate_parks(pd.read_csv(io.StringIO(PARKS_CSV), dtype=str))
    ents = validate_enterprises(pd.read_csv(io.StringIO(ENTERPRISES_CSV), dtype=str))
    matcher = Matcher().fit(parks, ents)
    pairs = labelled_pairs(matcher, ledger)
    contacts = ranking_contacts(pairs, logged_ranks(matcher, pairs))
    assert contacts["random"].sum() == len(tracked)
    curve = examination_of(pairs, contacts, method="randomised")
    assert curve.method == "randomised" and curve.detail["depth"] == DEPTH
    assert sum(curve.detail["counts"]) == len(tracked)


def test_exploration_is_off_by_default_and_bounded():
    assert Settings(_env_file=None).exploration == 0.0
    assert Settings(_env_file=None).exploration_depth == 20
    with pytest.raises(ValidationError):
        Settings(_env_file=None, exploration=1.5)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, exploration_depth=1)


def test_an_old_database_gains_the_exposure_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    with old.begin() as connection:  # lead_status as the first version created it
        connection.execute(
            text(
                "CREATE TABLE lead_status (park_id VARCHAR NOT NULL, enterprise_id VARCHAR NOT "
                "NULL, status VARCHAR NOT NULL, owner VARCHAR, note TEXT, updated_at DATETIME "
                "NOT NULL, updated_by VARCHAR NOT NULL, PRIMARY KEY (park_id, enterprise_id))"
            )
        )
        connection.execute(
            text(
                "INSERT INTO lead_status VALUES ('P1', 'E1', 'visited', NULL, NULL, "
                "'2024-01-01 00:00:00', 'zhangsan')"
            )
        )
    old.dispose()
    engine = store.make_engine(url)
    store.create_schema(engine)
    store.create_schema(engine)  # twice: nothing left to add
    columns = {c["name"] for c in inspect(engine).get_columns("lead_status")}
    assert {"source", "shown_rank", "shown_propensity", "shown_model", "shown_index_version",
            "shown_at"} <= columns  # fmt: skip
    with engine.connect() as connection:
        row = connection.execute(text("SELECT status, shown_rank FROM lead_status")).one()
    assert tuple(row) == ("visited", None)
    engine.dispose()


def test_settings_reach_the_app(tmp_path):
    with running(make_settings(tmp_path, exploration=0.25, exposure_memory=7)) as c:
        exposures = c.app.state.exposures
        assert exposures.exploration == 0.25 and exposures.capacity == 7
