"""Officers' accounts: salted scrypt password hashes, and the signed session cookie.

Passwords are stored as ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (base64, 16-byte random salt,
32-byte key; :func:`hashlib.scrypt` with n=2**14, r=8, p=1: about 16 MiB and a few tens of
milliseconds per try). The parameters live in the hash, so they can be raised later without
breaking stored accounts.

A session is a small JSON payload (user, CSRF token, password fingerprint, issue time) signed
with HMAC-SHA-256 under the service's secret key; the cookie is HttpOnly and SameSite=Lax. A
changed password or a disabled account ends every session of that account.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher import ConfigError

from .. import store

__all__ = [
    "MIN_PASSWORD",
    "LoginThrottle",
    "SessionData",
    "authenticate",
    "create_account",
    "hash_password",
    "password_fingerprint",
    "secret_key",
    "set_password",
    "sign_session",
    "unsign_session",
    "username_problem",
    "verify_password",
]

#: Shortest password accepted.
MIN_PASSWORD = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
_SECRET_NAME = "session_key"
#: Label of the session key derived from PARKMATCH_SECRET_KEY (which also signs model files).
_SESSION_LABEL = b"parkmatch workbench session cookie v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` with its parameters.

    >>> h = hash_password("correct horse")
    >>> h.startswith("scrypt$16384$8$1$"), verify_password("correct horse", h)
    (True, True)
    >>> hash_password("correct horse") == h   # a new salt each time
    False
    """
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT
    )
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (constant-time comparison).

    >>> verify_password("wrong", hash_password("right")), verify_password("x", "garbage")
    (False, False)
    """
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(key)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(got, expected)


def password_fingerprint(stored: str) -> str:
    """A short digest of the stored hash: sessions carry it, so a new password ends them."""
    return hashlib.sha256(stored.encode("ascii", "replace")).hexdigest()[:16]


def username_problem(username: str) -> str | None:
    """Why ``username`` cannot name an account (None when it can)."""
    if not _USERNAME.match(username):
        return (
            f"用户名「{username}」无效：应为 2–64 个字母、数字或 _ . -，以字母或数字开头"
            "（用户名记为跟进历史中的操作人）"
        )
    return None


def _password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码太短：至少 {MIN_PASSWORD} 个字符"
    return None


def create_account(
    session: Session, username: str, password: str, *, display_name: str | None = None
) -> store.Account:
    """Add an officer (caller commits); :class:`matcher.ConfigError` for a bad or taken name."""
    username = username.strip()
    problem = username_problem(username) or _password_problem(password)
    if problem is not None:
        raise ConfigError(problem)
    if session.get(store.Account, username) is not None:
        raise ConfigError(f"用户「{username}」已存在：修改密码请用 password 命令")
    account = store.Account(
        username=username,
        display_name=(display_name or "").strip() or username,
        password_hash=hash_password(password),
        active=True,
        created_at=store.utcnow(),
    )
    session.add(account)
    return account


def set_password(session: Session, username: str, password: str) -> store.Account:
    """Give an account a new password (its sessions end); caller commits."""
    account = session.get(store.Account, username.strip())
    if account is None:
        raise ConfigError(f"没有用户「{username}」")
    problem = _password_problem(password)
    if problem is not None:
        raise ConfigError(problem)
    account.password_hash = hash_password(password)
    return account


# A hash of a random password: unknown users cost as much time as known ones.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, username: str, password: str) -> store.Account | None:
    """The active account for these credentials, or None (timing does not reveal which part
    was wrong)."""
    account = session.get(store.Account, username.strip()) if username.strip() else None
    if account is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, account.password_hash) or not account.active:
        return None
    return account


def secret_key(engine: Engine, configured: str | None) -> bytes:
    """The session signing key: derived from the configured server secret, else the one kept in
    the database (generated on first use; every worker on the same database reads the same key).

    The server secret also signs model files and snapshots, so the cookie key is derived from it
    for this one purpose (HMAC-SHA-256 of a fixed label): a value signed for one use is never
    valid for the other.
    """
    if configured:
        return hmac.new(configured.encode("utf-8"), _SESSION_LABEL, hashlib.sha256).digest()
    with Session(engine) as session:
        row = session.get(store.ServiceSecret, _SECRET_NAME)
        if row is None:
            session.add(store.ServiceSecret(name=_SECRET_NAME, value=secrets.token_urlsafe(48)))
            try:
                session.commit()
            except IntegrityError:  # another worker wrote it first
                session.rollback()
            row = session.scalars(
                select(store.ServiceSecret).where(store.ServiceSecret.name == _SECRET_NAME)
            ).one()
        return row.value.encode("utf-8")


class LoginThrottle:
    """At most ``limit`` failed sign-ins per (username, address) in ``window`` seconds.

    Kept in the process (each worker counts its own): a brake on password guessing on top of
    the slow hash, not an account lock-out.

    >>> t = LoginThrottle(limit=2, window=60)
    >>> t.failed("zhangsan", "1.2.3.4"); t.failed("zhangsan", "1.2.3.4")
    >>> t.wait_seconds("zhangsan", "1.2.3.4") > 0, t.wait_seconds("lisi", "1.2.3.4")
    (True, 0.0)
    """

    def __init__(self, *, limit: int = 5, window: float = 900.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def wait_seconds(self, username: str, address: str) -> float:
        """Seconds until this pair may try again (0 when it may now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent((username.strip().lower(), address), now)
            if len(times) < self.limit:
                return 0.0
            return max(0.0, self.window - (now - times[0]))

    def failed(self, username: str, address: str) -> None:
        """Count a failed sign-in."""
        now = time.monotonic()
        with self._lock:
            self._recent((username.strip().lower(), address), now).append(now)
            if len(self._failures) > 10_000:  # forget idle pairs
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]

    def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of this pair."""
        with self._lock:
            self._failures.pop((username.strip().lower(), address), None)


# ---------------------------------------------------------------------------- sessions
@dataclass(frozen=True)
class SessionData:
    """What the session cookie holds.

    Parameters
    ----------
    csrf : str
        The token every form of this browser must send back.
    user : str, default=None
        The signed-in officer's username; None before sign-in.
    fingerprint : str, default=None
        :func:`password_fingerprint` of the account's hash at sign-in.
    issued : float, default=0.0
        When the session was issued (Unix time).
    """

    csrf: str
    user: str | None = None
    fingerprint: str | None = None
    issued: float = 0.0

    @classmethod
    def new(cls, user: str | None = None, fingerprint: str | None = None) -> SessionData:
        """A fresh session with a new CSRF token."""
        return cls(secrets.token_urlsafe(24), user, fingerprint, time.time())


def sign_session(data: SessionData, key: bytes) -> str:
    """The cookie value: base64(JSON) + "." + HMAC-SHA-256."""
    payload: dict[str, Any] = {
        "c": data.csrf,
        "u": data.user,
        "f": data.fingerprint,
        "t": int(data.issued),
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign_session(value: str | None, key: bytes, *, max_age: float) -> SessionData | None:
    """The session in a cookie value, or None when it is missing, forged, altered or expired.

    >>> key = b"k" * 32
    >>> cookie = sign_session(SessionData.new("zhangsan"), key)
    >>> unsign_session(cookie, key, max_age=60).user
    'zhangsan'
    >>> unsign_session(cookie[:-2] + "xx", key, max_age=60) is None
    True
    """
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    try:
        expected = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            return None
        payload = json.loads(_unb64(body))
        data = SessionData(
            csrf=str(payload["c"]),
            user=None if payload.get("u") is None else str(payload["u"]),
            fingerprint=None if payload.get("f") is None else str(payload["f"]),
            issued=float(payload["t"]),
        )
    except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error):
        return None
    if not data.csrf or not 0 <= time.time() - data.issued <= max_age:
        return None
    return data
