"""Who is asking: sessions for the web pages in signed, HTTP-only cookies, a CSRF token on
every form, bearer tokens for the API, and failed logins slowed per address (the accounts
lock a name out on their own). Every request names an account or gets 401."""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from service.accounts import Account, Accounts

SESSION_COOKIE, CSRF_COOKIE = "zr_session", "zr_csrf"
SESSION_SECONDS = 8 * 3600  # a working day
# Failed logins from one address: this many within the window, then 429 until it passes.
ADDRESS_FAILURES, ADDRESS_WINDOW = 20, 15 * 60


def secret_key(path: Path) -> bytes:
    """The key that signs this home's cookies: made once, readable by the service's user
    only; a new key ends every session."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Session:
    """A logged-in browser: the account and its form token."""

    account: Account
    csrf: str


class Guard:
    """Sessions, CSRF tokens, bearer tokens and the login limiter of one service."""

    def __init__(self, accounts: Accounts, key: bytes):
        self.accounts = accounts
        self._sessions = URLSafeTimedSerializer(key, salt="zhirong-session")
        self._csrf = URLSafeTimedSerializer(key, salt="zhirong-csrf")
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    # ---------------------------------------------------------------- sessions
    def open_session(self, account: Account) -> str:
        """A session cookie's value for `account`."""
        return self._sessions.dumps({"a": account.name, "t": account.token_id})

    def session(self, cookie: str | None) -> Account | None:
        """The account a session cookie names, if the cookie is ours, fresh, and the account
        still enabled with the credentials the session was opened with."""
        if not cookie:
            return None
        try:
            payload = self._sessions.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(payload, dict):
            return None
        return self.accounts.by_session(str(payload.get("a")), str(payload.get("t")))

    def bearer(self, header: str | None) -> Account | None:
        """The account an `Authorization: Bearer …` header names."""
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.accounts.by_token(token.strip())

    # ---------------------------------------------------------------- CSRF (double submit)
    def new_csrf(self) -> str:
        """A signed form token, set as a cookie and repeated in every form."""
        return self._csrf.dumps(secrets.token_urlsafe(16))

    def csrf_ok(self, cookie: str | None, submitted: str | None) -> bool:
        """The form repeats the cookie's token, and the token is ours."""
        if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
            return False
        try:
            self._csrf.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:
            return False
        return True

    # ---------------------------------------------------------------- login limiter
    def address_blocked(self, address: str, now: float | None = None) -> bool:
        """Too many failed logins from this address lately."""
        now = now or time.monotonic()
        window = self._failures[address]
        while window and window[0] < now - ADDRESS_WINDOW:
            window.popleft()
        return len(window) >= ADDRESS_FAILURES

    def failed_login(self, address: str, now: float | None = None) -> None:
        """Count a failed login from `address`."""
        self._failures[address].append(now or time.monotonic())
