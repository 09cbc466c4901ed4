"""Sign-in, sessions, CSRF and the read/write rules of the workbench."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy.orm import Session

from matcher import ConfigError
from service import store
from service.web.accounts import (
    SessionData,
    create_account,
    hash_password,
    sign_session,
    unsign_session,
    verify_password,
)
from service.web.auth import COOKIE

from ..service.conftest import KEYS
from .conftest import ROOT
from .helpers import OFFICER, csrf_of, sign_in, workbench


@pytest.fixture
def client(tmp_path):
    with workbench(tmp_path) as c:
        yield c


def test_password_hashes_are_salted_slow_scrypt_and_verify():
    a, b = hash_password("geheim-123"), hash_password("geheim-123")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert verify_password("geheim-123", a) and verify_password("geheim-123", b)
    assert not verify_password("geheim-124", a)
    assert not verify_password("geheim-123", a.replace("scrypt", "md5"))
    start = time.perf_counter()
    verify_password("x", a)
    assert time.perf_counter() - start > 0.005  # deliberately slow (16 MiB scrypt)


def test_session_cookie_is_signed_and_expires():
    key = b"k" * 40
    cookie = sign_session(SessionData.new("zhangsan", "f"), key)
    assert unsign_session(cookie, key, max_age=60).user == "zhangsan"
    _, mac = cookie.split(".")
    forged = json.dumps({"c": "x", "u": "admin", "f": "f", "t": int(time.time())})
    forged_body = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
    assert unsign_session(f"{forged_body}.{mac}", key, max_age=60) is None
    assert unsign_session(cookie, b"other-key" * 5, max_age=60) is None
    old = SessionData("t", "zhangsan", "f", time.time() - 7200)
    assert unsign_session(sign_session(old, key), key, max_age=3600) is None


def test_accounts_refuse_bad_names_short_passwords_and_duplicates(tmp_path):
    engine = store.make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    store.create_schema(engine)
    with Session(engine) as session:
        create_account(session, "lisi", "long-enough-1")
        session.commit()
        with pytest.raises(ConfigError, match="已存在"):
            create_account(session, "lisi", "long-enough-2")
        with pytest.raises(ConfigError, match="太短"):
            create_account(session, "wangwu", "short")
        with pytest.raises(ConfigError, match="用户名"):
            create_account(session, "王 五", "long-enough-3")


def test_sign_in_sets_an_httponly_samesite_cookie_and_shows_the_officer(client):
    token = csrf_of(client.get("/app/login").text)
    r = client.post(
        "/app/login",
        data={
            "csrf_token": token,
            "username": "zhangsan",
            "password": OFFICER[1],
            "next": "/app/board",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/app/board"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Path=/app" in cookie
    page = client.get("/app/").text
    assert 'class="user"' in page and "张三" in page


def test_wrong_password_is_refused_without_saying_which_part(client):
    token = csrf_of(client.get("/app/login").text)
    for username, password in (("zhangsan", "wrong-password"), ("nobody", OFFICER[1])):
        r = client.post(
            "/app/login",
            data={"csrf_token": token, "username": username, "password": password},
            follow_redirects=False,
        )
        assert r.status_code == 401
        assert "用户名或密码错误" in r.text and "set-cookie" not in r.headers


def test_sign_in_never_redirects_off_site(client):
    token = csrf_of(client.get("/app/login").text)
    r = client.post(
        "/app/login",
        data={
            "csrf_token": token,
            "username": "zhangsan",
            "password": OFFICER[1],
            "next": "https://evil.example/app/",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/app/"


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(client):
    token = sign_in(client)
    url = "/app/parks/P-AL/leads/E1"
    r = client.post(url, data={"status": "contacted"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post(url, data={"status": "contacted", "csrf_token": token + "x"})
    assert r.status_code == 403
    assert client.get("/parks/P-AL/leads/E1").json()["tracking"] is None
    r = client.post(url, data={"status": "contacted", "csrf_token": token})
    assert r.status_code == 200  # followed to the detail page
    assert client.get("/parks/P-AL/leads/E1").json()["tracking"]["updated_by"] == "zhangsan"


def test_writes_need_a_signed_in_officer(client):
    token = csrf_of(client.get("/app/login").text)  # an anonymous session's token
    r = client.post(
        "/app/parks/P-AL/leads/E1",
        data={"status": "contacted", "csrf_token": token},
        headers={"referer": "http://testserver/app/parks/P-AL/leads/E1"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith("/app/login?next=")
    assert r.headers["location"] == "/app/login?next=/app/parks/P-AL/leads/E1"
    r = client.post(
        "/app/board/move",
        data={"csrf_token": token, "park_id": "P-AL", "enterprise_id": "E1", "status": "visited"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get("/parks/P-AL/leads/E1").json()["tracking"] is None


def test_htmx_requests_are_redirected_to_sign_in_by_header(client):
    token = csrf_of(client.get("/app/login").text)
    r = client.post(
        "/app/board/move",
        data={"csrf_token": token, "park_id": "P-AL", "enterprise_id": "E1", "status": "visited"},
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/app/login")


def test_sign_out_ends_the_session(client):
    token = sign_in(client)
    r = client.post("/app/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert 'class="user"' not in client.get("/app/").text


def test_a_new_password_or_a_disabled_account_ends_existing_sessions(client):
    sign_in(client)
    engine = client.app.state.engine
    with Session(engine) as session:
        account = session.get(store.Account, "zhangsan")
        account.password_hash = hash_password("another-password")
        session.commit()
    assert 'class="user"' not in client.get("/app/").text
    sign_in(client, password="another-password")
    with Session(engine) as session:
        session.get(store.Account, "zhangsan").active = False
        session.commit()
    assert 'class="user"' not in client.get("/app/").text
    token = csrf_of(client.get("/app/login").text)
    r = client.post(
        "/app/login",
        data={"csrf_token": token, "username": "zhangsan", "password": "another-password"},
    )
    assert r.status_code == 401


def test_closed_reads_send_pages_to_sign_in_but_keys_and_sessions_open_them(tmp_path):
    with workbench(tmp_path, reads_open=False) as client:
        r = client.get("/app/parks/P-AL/leads?county=巩义市", follow_redirects=False)
        assert r.status_code == 303
        assert (
            r.headers["location"]
            == "/app/login?next=/app/parks/P-AL/leads%3Fcounty%3D%E5%B7%A9%E4%B9%89%E5%B8%82"
        )
        assert client.get("/app/login").status_code == 200  # the sign-in page itself is open
        key = {"X-API-Key": KEYS["lisi"]}
        assert client.get("/app/parks/P-AL/leads", headers=key).status_code == 200
        assert client.get("/parks", headers=key).status_code == 200  # API keys keep working
        assert client.get("/parks").status_code == 401
        sign_in(client)
        assert client.get("/app/parks/P-AL/leads").status_code == 200
        export = client.get("/app/parks/P-AL/leads-export?format=csv")
        assert export.status_code == 200 and "企业编号" in export.content.decode("utf-8-sig")


def test_the_session_key_is_generated_once_and_kept_in_the_database(client):
    client.get("/app/")
    with Session(client.app.state.engine) as session:
        first = session.get(store.ServiceSecret, "session_key").value
    client.app.state.web_secret = None  # as a second worker would start
    sign_in(client)
    with Session(client.app.state.engine) as session:
        assert session.get(store.ServiceSecret, "session_key").value == first


def test_a_configured_server_secret_signs_cookies_only_through_a_derived_key(tmp_path):
    """PARKMATCH_SECRET_KEY also signs model files and snapshots: the session cookie is signed
    with a key derived from it for this one use, never with the secret itself."""
    secret = "server-secret-for-models-and-cookies-01"
    with workbench(tmp_path, secret_key=secret) as client:
        sign_in(client)
        cookie = client.cookies[COOKIE]
        assert unsign_session(cookie, secret.encode(), max_age=3600) is None
        derived = client.app.state.web_secret
        assert derived != secret.encode() and len(derived) == 32
        assert unsign_session(cookie, derived, max_age=3600).user == OFFICER[0]
        with Session(client.app.state.engine) as session:  # nothing generated
            assert session.get(store.ServiceSecret, "session_key") is None


def test_account_cli_creates_lists_and_refuses_duplicates(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PARKMATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service.web", "account", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    made = run("add", "lisi", "--name", "李四", "--password-stdin", stdin="li-si-password\n")
    assert made.returncode == 0 and "lisi" in made.stdout and "李四" in made.stdout
    again = run("add", "lisi", "--password-stdin", stdin="li-si-password\n")
    assert again.returncode == 1 and "已存在" in again.stderr and "Traceback" not in again.stderr
    short = run("add", "wangwu", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "太短" in short.stderr
    listed = run("list")
    assert "lisi\t李四\t启用" in listed.stdout
    assert run("disable", "lisi").returncode == 0
    assert "停用" in run("list").stdout
    engine = store.make_engine(env["PARKMATCH_DATABASE_URL"])
    with Session(engine) as session:
        account = session.get(store.Account, "lisi")
        assert account is not None and verify_password("li-si-password", account.password_hash)


def test_repeated_failed_sign_ins_are_slowed_down(client):
    token = csrf_of(client.get("/app/login").text)
    form = {"csrf_token": token, "username": "zhangsan", "password": "wrong-password"}
    codes = [client.post("/app/login", data=form).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    right = client.post("/app/login", data={**form, "password": OFFICER[1]})
    assert right.status_code == 429 and "分钟后再试" in right.text  # even the right password waits
    other = client.post("/app/login", data={**form, "username": "lisi"})
    assert other.status_code == 401  # another name is counted apart
