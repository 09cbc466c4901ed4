"""Helpers of the in-process workbench tests: an app with the literal data and an officer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from service.web.accounts import create_account

from ..service.conftest import literal_app

OFFICER = ("zhangsan", "zhangsan-pass-2024", "张三")


@contextmanager
def workbench(folder: Path, **settings: Any) -> Iterator[Any]:
    """A TestClient on the two literal parks and eight enterprises, with account 张三."""
    with literal_app(folder, **settings) as client:
        with Session(client.app.state.engine) as session:
            create_account(session, OFFICER[0], OFFICER[1], display_name=OFFICER[2])
            session.commit()
        yield client


def csrf_of(html: str) -> str:
    """The CSRF token a page carries."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page without a CSRF token"
    return match.group(1)


def sign_in(client: Any, username: str = OFFICER[0], password: str = OFFICER[1]) -> str:
    """Sign in through the form; returns the new session's CSRF token."""
    token = csrf_of(client.get("/app/login").text)
    r = client.post(
        "/app/login",
        data={"csrf_token": token, "username": username, "password": password, "next": "/app/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    return csrf_of(client.get("/app/").text)


def messages(html: str, kind: str = "err") -> list[str]:
    """The texts of the page's ``.msg.<kind>`` boxes."""
    return [m.strip() for m in re.findall(rf'class="msg {kind}"[^>]*>([^<]*)', html)]
