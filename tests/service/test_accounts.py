"""Filing-service accounts: secrets only as salted argon2 hashes, shown once; a disabled or
reset account's old secrets stop working; failed logins lock a name out for a while."""

import sqlite3
from datetime import timedelta

import pytest

from orchestration.cli import main
from service.accounts import FAILURE_WINDOW, MAX_FAILURES, AccountError, Accounts
from warehouse.home import Home

BANK_A = "C1901150100001"


@pytest.fixture
def accounts(tmp_path) -> Accounts:
    return Accounts(tmp_path / "accounts.sqlite")


def _stored(accounts: Accounts) -> bytes:
    with sqlite3.connect(accounts.path) as con:
        con.execute("pragma wal_checkpoint(full)")
    return b"".join(p.read_bytes() for p in accounts.path.parent.iterdir())


def test_a_password_and_token_are_kept_only_as_salted_argon2_hashes(accounts):
    a = accounts.add("bank-a", "bank", BANK_A)
    b = accounts.add("bank-b", "bank", "C2901150200001")
    stored = _stored(accounts)
    for secret in (a.password, a.token.split("_", 2)[2], b.password):
        assert secret.encode() not in stored
    with sqlite3.connect(accounts.path) as con:
        hashes = con.execute("select password_hash, token_hash from accounts").fetchall()
    assert all(h.startswith("$argon2id$") for pair in hashes for h in pair)
    # Salted: no two hashes alike, even of the same kind of secret.
    assert len({h for pair in hashes for h in pair}) == 4


def test_the_password_opens_the_pages_and_the_token_the_api(accounts):
    made = accounts.add("bank-a", "bank", BANK_A)
    account = accounts.by_password("bank-a", made.password)
    assert (account.name, account.role, account.reporter) == ("bank-a", "bank", BANK_A)
    assert accounts.by_token(made.token).name == "bank-a"
    assert accounts.by_password("bank-a", made.token) is None
    assert accounts.by_token(made.password) is None
    assert accounts.by_token(made.token[:-1] + ("x" if made.token[-1] != "x" else "y")) is None


def test_a_disabled_account_can_no_longer_log_in_or_call_the_api(accounts):
    made = accounts.add("bank-a", "bank", BANK_A)
    accounts.disable("bank-a")
    assert accounts.by_password("bank-a", made.password) is None
    assert accounts.by_token(made.token) is None
    assert [a.disabled for a in accounts.all()] == [True]


def test_a_reset_replaces_both_secrets_at_once(accounts):
    old = accounts.add("bank-a", "bank", BANK_A)
    new = accounts.reset("bank-a")
    assert accounts.by_password("bank-a", old.password) is None
    assert accounts.by_token(old.token) is None
    assert accounts.by_password("bank-a", new.password).name == "bank-a"
    assert accounts.by_token(new.token).name == "bank-a"


def test_failed_logins_lock_the_name_out_for_the_window(accounts):
    made = accounts.add("bank-a", "bank", BANK_A)
    for _ in range(MAX_FAILURES):
        assert accounts.by_password("bank-a", "guess") is None
    assert accounts.locked_out("bank-a")
    # Even the right password is refused while locked out …
    assert accounts.by_password("bank-a", made.password) is None
    # … and accepted once the window has passed.
    later = accounts.all()[0].created_at + FAILURE_WINDOW + timedelta(minutes=16)
    assert accounts.by_password("bank-a", made.password, now=later).name == "bank-a"


@pytest.mark.parametrize(
    ("name", "role", "reporter", "said"),
    [
        ("Bank A", "bank", BANK_A, "account name"),
        ("bank-a", "root", None, "role must be"),
        ("bank-a", "bank", None, "need --reporter"),
        ("analyst", "regulator", BANK_A, "take none"),
    ],
)
def test_an_account_that_cannot_be_made_is_refused_in_both_languages(
    accounts, name, role, reporter, said
):
    with pytest.raises(AccountError) as refused:
        accounts.add(name, role, reporter)
    assert said in refused.value.message_en and refused.value.message_zh
    assert accounts.all() == []


def test_the_same_name_twice_is_refused(accounts):
    accounts.add("bank-a", "bank", BANK_A)
    with pytest.raises(AccountError):
        accounts.add("bank-a", "regulator")


def _users(home: Home, *argv: str) -> int:
    return main(["--home", str(home.root), "users", *argv])


def test_users_add_prints_the_secrets_once_and_checks_the_bank_code(tmp_path, capsys):
    home = Home(tmp_path / "home")
    assert _users(home, "add", "bank-a", "--role", "bank", "--reporter", BANK_A.lower()) == 0
    out = capsys.readouterr().out
    password = next(line.split(": ")[1] for line in out.splitlines() if "password" in line)
    assert Accounts(home.accounts_db).by_password("bank-a", password).reporter == BANK_A
    assert _users(home, "add", "bank-x", "--role", "bank", "--reporter", "C190115010000") == 2
    assert "C1901150100001" in capsys.readouterr().err  # the near miss
    assert _users(home, "list") == 0
    listed = capsys.readouterr().out
    assert "bank-a" in listed and password not in listed
