"""Fixtures of the service tests: apps on throw-away databases, small literal data.

Every service test runs twice, on SQLite (a temporary file) and on PostgreSQL (a database
created for the app and dropped after the session, on the server named by
``PARKMATCH_TEST_POSTGRES_URL``, which ``.ci/run`` starts). The PostgreSQL runs are skipped,
with the reason, only when no server can be reached.

``client`` holds two parks and eight enterprises imported through the API (fresh per test, so
tests may write); ``shared_client`` the same, shared by a module (read-only); ``sample_client``
holds the bundled sample and is shared by the whole session (read-only tests only).
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import StarletteDeprecationWarning

from service.config import Settings
from service.main import create_app

with warnings.catch_warnings():  # starlette asks for httpx2 when only httpx is installed
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

KEYS = {"zhangsan": "key-zhangsan-0001", "lisi": "key-lisi-00000002"}
ZHANG = {"X-API-Key": KEYS["zhangsan"]}
LI = {"X-API-Key": KEYS["lisi"]}

PARKS_CSV = """\
park_id,name,province,city,county,leading_industries,positioning,available_sqm,excluded_industries
P-AL,巩义铝精深加工园,河南省,郑州市,巩义市,3252;3392,重点发展铝板带箔、铝型材、铝合金铸件等铝精深加工,50000,3216
P-FOOD,新郑食品产业园,河南省,郑州市,新郑市,1432;14,速冻食品、方便食品、休闲食品的生产加工,20000,26
"""

ENTERPRISES_CSV = """\
enterprise_id,name,industry_code,business_scope,products,employees,revenue_wan,srdi_level,high_tech,patents,province,city,county,space_need_sqm
E1,巩义市恒达铝业有限公司,3252,铝板带箔、铝型材的生产与销售,铝板、铝箔,80,5000,创新型中小企业,是,6,河南省,郑州市,巩义市,3000
E2,荥阳市铝材有限公司,C3252,铝型材加工与销售,铝型材,40,2000,省级专精特新,否,3,河南省,郑州市,荥阳市,2000
E3,新郑速冻食品有限公司,1432,速冻食品、速冻面米制品的生产与销售,速冻水饺、汤圆,60,3000,无,否,0,河南省,郑州市,新郑市,2000
E4,郑州华瑞科技有限公司,,铝型材、铝板带箔加工与销售,铝型材,30,1200,,,,河南省,郑州市,荥阳市,1500
E5,河南某铝冶炼有限公司,3216,电解铝、铝锭的生产与销售,电解铝,200,30000,无,否,2,河南省,郑州市,巩义市,8000
E6,郑州巨能铝材有限公司,3252,铝板带箔的生产与销售,铝板,900,35000,无,否,3,河南省,郑州市,巩义市,120000
E7,某某贸易有限公司,,,,,,,,,,,,
E8,洛阳铜加工有限公司,3251,铜板带、铜管的生产与销售,铜板带,50,4000,国家级专精特新“小巨人”,是,9,河南省,郑州市,巩义市,2500
"""


BACKENDS = ("sqlite", "postgresql")
_current = {"backend": "sqlite"}
_created: list[str] = []


def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    url = os.environ.get("PARKMATCH_TEST_POSTGRES_URL")
    if not url:
        return "PARKMATCH_TEST_POSTGRES_URL 未设置（.ci/run 会安装并启动 PostgreSQL 后设置它）"
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"无法连接 PostgreSQL（{url.rsplit('@', 1)[-1]}）：{type(exc).__name__}"
    return None


_PG_PROBLEM = _postgres_problem()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every service test on both databases."""
    if "backend" in metafunc.fixturenames:
        params = [
            pytest.param(
                b,
                marks=pytest.mark.skipif(
                    b == "postgresql" and _PG_PROBLEM is not None, reason=str(_PG_PROBLEM)
                ),
            )
            for b in BACKENDS
        ]
        metafunc.parametrize("backend", params, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """The database of this run of the test: ``sqlite`` or ``postgresql``."""
    yield request.param
    if request.param == "postgresql" and _created:
        engine = create_engine(
            os.environ["PARKMATCH_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT"
        )
        try:
            for name in _created:
                _drop_database(engine, name)
        finally:
            engine.dispose()
        _created.clear()


def _drop_database(engine: Engine, name: str, attempts: int = 20) -> None:
    """Drop one throw-away database, retrying while the server refuses for a moment.

    ``WITH (FORCE)`` ends the app's own sessions, but PostgreSQL 13-15 refuse it outright
    ("must be a member of the role whose process is being terminated") while an autovacuum
    worker happens to be in the database, which a long run makes likely. The worker is done
    within a moment, so the drop is tried again; ``.ci/run`` also grants the test role
    ``pg_signal_backend``, which lets the server end the worker itself.
    """
    for attempt in range(attempts):
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


@pytest.fixture(autouse=True)
def _use_backend(backend: str) -> Iterator[None]:
    _current["backend"] = backend
    yield


def database_url(folder: Path) -> str:
    """A new, empty database for one app on the current backend."""
    if _current["backend"] == "sqlite":
        return f"sqlite:///{folder / 'parkmatch.db'}"
    base = make_url(os.environ["PARKMATCH_TEST_POSTGRES_URL"])
    name = f"pm_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    _created.append(name)
    return base.set(database=name).render_as_string(hide_password=False)


def make_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings on a new database of the current backend (files in ``folder``), with two keys,
    no .env and no sample seed."""
    values: dict[str, Any] = {
        "database_url": database_url(folder),
        "snapshot_dir": folder / "snapshots",
        "models_dir": folder / "models",
        "api_keys": KEYS,
        "seed_sample": False,
        "gc_freeze": False,  # a full collection per rebuild would slow the many small apps
        "index_wait_s": 0,  # 503 at once while the index lags (tests of the wait set it)
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def wait_index(client: TestClient) -> None:
    """Wait until the background rebuild has finished."""
    assert client.app.state.indexer.wait(60), "index rebuild did not finish"


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    """A TestClient on a new app, its lifespan run and its first index build finished."""
    app = create_app(settings)
    with TestClient(app) as client:
        wait_index(client)
        yield client


def upload(
    client: TestClient,
    kind: str,
    text: str | bytes,
    *,
    name: str | None = None,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> Any:
    """POST a file to ``/imports/{kind}``."""
    content = text.encode("utf-8") if isinstance(text, str) else text
    files = {"file": (name or f"{kind}.csv", content)}
    return client.post(
        f"/imports/{kind}",
        files=files,
        headers=ZHANG if headers is None else headers,
        params=params,
    )


@contextmanager
def statements_run(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends inside the block, in order."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def literal_app(folder: Path, **settings: Any) -> Iterator[TestClient]:
    """An app with the two literal parks and eight enterprises (imported through the API);
    ``settings`` override :func:`make_settings`'s."""
    with running(make_settings(folder, **settings)) as c:
        assert upload(c, "parks", PARKS_CSV).status_code == 200
        assert upload(c, "enterprises", ENTERPRISES_CSV).status_code == 200
        wait_index(c)
        yield c


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The literal data, fresh for each test (tests may write)."""
    with literal_app(tmp_path) as c:
        yield c


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[TestClient]:
    """The literal data shared by a module's tests (tests must not change any data)."""
    _current["backend"] = backend
    with literal_app(tmp_path_factory.mktemp("literal-db")) as c:
        yield c


@pytest.fixture(scope="session")
def sample_client(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[TestClient]:
    """An app seeded from the bundled sample on first start (read-only tests only)."""
    _current["backend"] = backend
    folder = tmp_path_factory.mktemp("sample-db")
    with running(make_settings(folder, seed_sample=True, gc_freeze=True)) as c:
        yield c
