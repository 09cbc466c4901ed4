"""Who is using the workbench: the session cookie, sign-in, CSRF, and the read/write guards.

Every browser gets a signed session cookie (HttpOnly, SameSite=Lax, ``Secure`` with
``PARKMATCH_COOKIE_SECURE=true``) holding a CSRF token; signing in adds the officer's username.
Every form that changes anything (and the sign-in form itself) sends the token back, as the
``csrf_token`` field or the ``X-CSRF-Token`` header (htmx requests), and is refused with 403
without it. Reads follow ``PARKMATCH_READS_OPEN``: when reads are closed a page needs a signed-in
officer or a valid ``X-API-Key`` header. Writes need a signed-in officer, who is the actor of
the change (the username, as an API key's name is for the JSON API).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from .. import store
from ..config import Settings
from ..deps import api_key_header, key_holder
from .accounts import (
    SessionData,
    password_fingerprint,
    secret_key,
    sign_session,
    unsign_session,
)

__all__ = [
    "COOKIE",
    "CsrfError",
    "SignInRequiredError",
    "WebContext",
    "WebFormReaderDep",
    "WebOfficerDep",
    "WebReaderDep",
    "WebWriterDep",
    "check_csrf",
    "local_path",
    "set_session_cookie",
    "web_context",
]

#: Name of the session cookie.
COOKIE = "parkmatch_session"


class SignInRequiredError(Exception):
    """The page needs a signed-in officer; the handler redirects to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfError(Exception):
    """A form came without the CSRF token of this browser's session (403)."""


@dataclass
class WebContext:
    """The request's session, signed-in officer (if any) and settings.

    ``fresh`` is True when the browser had no valid session: the response then sets the cookie.
    """

    request: Request
    settings: Settings
    session: SessionData
    username: str | None = None
    display_name: str | None = None
    fresh: bool = False
    key_holder: str | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def signed_in(self) -> bool:
        """True when an officer is signed in."""
        return self.username is not None

    @property
    def csrf(self) -> str:
        """The CSRF token forms of this page carry."""
        return self.session.csrf


def _key(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, "web_secret", None)
    if key is None:
        settings: Settings = request.app.state.settings
        configured = settings.secret_key.get_secret_value() if settings.secret_key else None
        key = secret_key(request.app.state.engine, configured)
        request.app.state.web_secret = key
    return key


def local_path(url: str | None, default: str = "/app/") -> str:
    """``url`` when it is a path of the workbench on this site, else ``default`` (no open
    redirects).

    >>> local_path("/app/board?owner=x"), local_path("https://evil.example/app/"), local_path("//x")
    ('/app/board?owner=x', '/app/', '/app/')
    """
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/app/") or "\\" in url:
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


def web_context(request: Request) -> WebContext:
    """The session of this request: the cookie's, or a new anonymous one."""
    settings: Settings = request.app.state.settings
    key = _key(request)
    data = unsign_session(request.cookies.get(COOKIE), key, max_age=settings.session_hours * 3600)
    ctx = WebContext(request=request, settings=settings, session=data or SessionData.new())
    ctx.fresh = data is None
    if data is not None and data.user is not None:
        with Session(request.app.state.engine) as db:
            account = db.get(store.Account, data.user)
            valid = (
                account is not None
                and account.active
                and hmac.compare_digest(
                    password_fingerprint(account.password_hash), data.fingerprint or ""
                )
            )
            if valid and account is not None:
                ctx.username, ctx.display_name = account.username, account.display_name
        if ctx.username is None:  # signed out elsewhere: new password, disabled or deleted
            ctx.session, ctx.fresh = SessionData.new(), True
    ctx.key_holder = key_holder(settings, request.headers.get(api_key_header.model.name))
    return ctx


def set_session_cookie(
    response: Response, ctx: WebContext, data: SessionData | None = None
) -> None:
    """Write the (new) session cookie onto ``response``."""
    value = data or ctx.session
    response.set_cookie(
        COOKIE,
        sign_session(value, _key(ctx.request)),
        max_age=int(ctx.settings.session_hours * 3600),
        path="/app",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.cookie_secure,
    )


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _login_redirect(request: Request) -> SignInRequiredError:
    if request.method == "GET":
        target: str | None = _here(request)
    else:  # back to the page the form was on, when it is one of ours
        referer = urlsplit(request.headers.get("referer") or "")
        same_site = referer.netloc in ("", request.url.netloc)
        query = f"?{referer.query}" if referer.query else ""
        target = referer.path + query if same_site else None
    return SignInRequiredError(f"/app/login?next={quote(local_path(target), safe='/%')}")


async def check_csrf(request: Request, ctx: WebContext) -> None:
    """Refuse a form whose CSRF token is not this session's."""
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if ctx.fresh or not sent or not hmac.compare_digest(sent, ctx.session.csrf):
        raise CsrfError()


async def web_reader(request: Request) -> WebContext:
    """A page read: open when ``PARKMATCH_READS_OPEN`` is true, else for a signed-in officer
    or a valid ``X-API-Key``; otherwise redirect to the sign-in page."""
    ctx = web_context(request)
    if not ctx.settings.reads_open and not ctx.signed_in and ctx.key_holder is None:
        raise _login_redirect(request)
    return ctx


async def web_writer(request: Request) -> WebContext:
    """A change made from a page: a signed-in officer and this session's CSRF token."""
    ctx = web_context(request)
    if not ctx.signed_in:
        raise _login_redirect(request)
    await check_csrf(request, ctx)
    return ctx


async def web_officer(request: Request) -> WebContext:
    """A page only a signed-in officer may open (a download of their own work; no form, so no
    CSRF token)."""
    ctx = web_context(request)
    if not ctx.signed_in:
        raise _login_redirect(request)
    return ctx


async def web_form_reader(request: Request) -> WebContext:
    """A read sent as a form (找园区, 全市分配): the read rule plus this session's CSRF token."""
    ctx = await web_reader(request)
    await check_csrf(request, ctx)
    return ctx


WebReaderDep = Annotated[WebContext, Depends(web_reader)]
WebFormReaderDep = Annotated[WebContext, Depends(web_form_reader)]
WebWriterDep = Annotated[WebContext, Depends(web_writer)]
WebOfficerDep = Annotated[WebContext, Depends(web_officer)]
