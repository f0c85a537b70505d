"""The filing service's accounts: who may file or read, in which role, for which bank or
reporter. One owner of `HOME/service/accounts.sqlite`; passwords and API tokens are kept only
as salted argon2 hashes, and are shown once, when made."""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("bank", "reporter", "regulator", "operator")
# Roles bound to one filer: a bank to its bank code, a reporter to its reporter code.
BOUND_ROLES = ("bank", "reporter")
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")
TOKEN_PREFIX = "zr"
# Failed logins: this many within the window lock the name out until the window has passed.
MAX_FAILURES, FAILURE_WINDOW = 5, timedelta(minutes=15)

SCHEMA = """
create table if not exists accounts (
    name text primary key,
    role text not null,
    reporter text,
    password_hash text not null,
    token_id text not null unique,
    token_hash text not null,
    disabled_at text,
    created_at text not null
);
create table if not exists login_failures (
    name text not null,
    failed_at text not null
);
"""


class AccountError(ValueError):
    """A request the accounts cannot take, in both languages."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class Account:
    """A named filer or reader."""

    name: str
    role: str
    reporter: str | None
    disabled: bool
    created_at: datetime
    # Names the account's current credentials (not a secret): a reset changes it, which ends
    # every session opened with the old ones.
    token_id: str = ""


@dataclass(frozen=True)
class Credentials:
    """What a new or reset account is given, once: a password for the pages, a bearer token
    for the API."""

    name: str
    password: str
    token: str


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Accounts:
    """The account store of one home."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None):
        self.path = path
        self.hasher = hasher or PasswordHasher()
        # Tokens verified in this process: sha256 of the token → the hash it matched, so an
        # API call costs one argon2 verification per token, not one per request.
        self._verified: dict[str, str] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.execute("pragma journal_mode = wal")
            con.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def add(self, name: str, role: str, reporter: str | None = None) -> Credentials:
        """A new account; its password and token are returned once and never stored."""
        if not NAME.match(name):
            raise AccountError(
                f"账户名应为 2–40 个小写字母、数字或 _.- ：{name!r}",
                f"an account name is 2–40 lower-case letters, digits or _.-: {name!r}",
            )
        if role not in ROLES:
            raise AccountError(
                f"角色应为 {'、'.join(ROLES)}：{role!r}",
                f"the role must be one of {', '.join(ROLES)}: {role!r}",
            )
        if (role in BOUND_ROLES) != bool(reporter):
            raise AccountError(
                "bank 与 reporter 角色须用 --reporter 指定机构或报送方，其他角色不得指定",
                "bank and reporter accounts need --reporter (their bank or reporter code); "
                "regulator and operator accounts take none",
            )
        credentials, token_id, token_hash = self._new_credentials(name)
        with closing(self._connect()) as con:
            try:
                con.execute(
                    "insert into accounts values (?, ?, ?, ?, ?, ?, null, ?)",
                    [
                        name,
                        role,
                        reporter,
                        self.hasher.hash(credentials.password),
                        token_id,
                        token_hash,
                        _now().isoformat(),
                    ],
                )
            except sqlite3.IntegrityError:
                raise AccountError(f"账户已存在：{name}", f"the account exists: {name}") from None
        return credentials

    def reset(self, name: str) -> Credentials:
        """New password and token for `name`; the old ones stop working at once."""
        credentials, token_id, token_hash = self._new_credentials(name)
        with closing(self._connect()) as con:
            changed = con.execute(
                "update accounts set password_hash = ?, token_id = ?, token_hash = ? "
                "where name = ?",
                [self.hasher.hash(credentials.password), token_id, token_hash, name],
            ).rowcount
            con.execute("delete from login_failures where name = ?", [name])
        if not changed:
            raise AccountError(f"没有这个账户：{name}", f"no such account: {name}")
        return credentials

    def disable(self, name: str) -> None:
        """`name` can no longer log in or use its token (its filings stay)."""
        with closing(self._connect()) as con:
            changed = con.execute(
                "update accounts set disabled_at = coalesce(disabled_at, ?) where name = ?",
                [_now().isoformat(), name],
            ).rowcount
        if not changed:
            raise AccountError(f"没有这个账户：{name}", f"no such account: {name}")

    def all(self) -> list[Account]:
        """Every account, by name."""
        with closing(self._connect()) as con:
            rows = con.execute(
                "select name, role, reporter, disabled_at, created_at, token_id from accounts "
                "order by name"
            ).fetchall()
        return [_account(row) for row in rows]

    def by_password(self, name: str, password: str, now: datetime | None = None) -> Account | None:
        """The account if `password` is its password and it is enabled and not locked out by
        failed logins; every failure is counted."""
        now = now or _now()
        with closing(self._connect()) as con:
            failures = _recent_failures(con, name, now)
            row = con.execute(
                "select name, role, reporter, disabled_at, created_at, token_id, password_hash "
                "from accounts where name = ?",
                [name],
            ).fetchone()
            good = (
                failures < MAX_FAILURES
                and row is not None
                and self._verifies(row[6], password)
                and row[3] is None
            )
            if not good:
                con.execute("insert into login_failures values (?, ?)", [name, now.isoformat()])
                return None
            con.execute("delete from login_failures where name = ?", [name])
        return _account(row[:6])

    def locked_out(self, name: str, now: datetime | None = None) -> bool:
        """Whether `name` has failed too many logins within the window."""
        now = now or _now()
        with closing(self._connect()) as con:
            failures = _recent_failures(con, name, now)
        return failures >= MAX_FAILURES

    def by_token(self, token: str) -> Account | None:
        """The enabled account whose API token this is."""
        parts = token.split("_", 2)  # the secret itself may hold "_"
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        with closing(self._connect()) as con:
            row = con.execute(
                "select name, role, reporter, disabled_at, created_at, token_id, token_hash "
                "from accounts where token_id = ?",
                [parts[1]],
            ).fetchone()
        if row is None or row[3] is not None:
            return None
        seen = hashlib.sha256(token.encode()).hexdigest()
        if self._verified.get(seen) != row[6]:
            if not self._verifies(row[6], parts[2]):
                return None
            self._verified[seen] = row[6]
        return _account(row[:6])

    def by_session(self, name: str, token_id: str) -> Account | None:
        """The enabled account a session names, if its credentials are still those the session
        was opened with."""
        with closing(self._connect()) as con:
            row = con.execute(
                "select name, role, reporter, disabled_at, created_at, token_id "
                "from accounts where name = ? and token_id = ?",
                [name, token_id],
            ).fetchone()
        if row is None or row[3] is not None:
            return None
        return _account(row)

    def _new_credentials(self, name: str) -> tuple[Credentials, str, str]:
        # The token names its row (an id) so a lookup verifies one hash, not every account's.
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        credentials = Credentials(
            name, secrets.token_urlsafe(12), f"{TOKEN_PREFIX}_{token_id}_{secret}"
        )
        return credentials, token_id, self.hasher.hash(secret)

    def _verifies(self, stored: str, given: str) -> bool:
        try:
            return self.hasher.verify(stored, given)
        except (VerificationError, InvalidHashError):
            return False


def _recent_failures(con: sqlite3.Connection, name: str, now: datetime) -> int:
    """Failed logins of `name` within the window before `now`."""
    return con.execute(
        "select count(*) from login_failures where name = ? and failed_at > ?",
        [name, (now - FAILURE_WINDOW).isoformat()],
    ).fetchone()[0]


def _account(row) -> Account:
    name, role, reporter, disabled_at, created_at, token_id = row
    return Account(
        name,
        role,
        reporter,
        disabled_at is not None,
        datetime.fromisoformat(created_at),
        token_id,
    )
