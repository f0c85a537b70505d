"""The received store: kept names that fit any file system, inbox entries moved without
being opened, links kept as links, files named elsewhere copied and left in place."""

import hashlib
import os
from datetime import datetime

from warehouse.received import (
    COPY,
    MOVE,
    fingerprint,
    how_to_keep,
    keep,
    put_back,
    stored_path,
)

AT = datetime(2026, 11, 10, 2)


def test_a_kept_name_carries_the_id_and_fits_with_room_for_reports(tmp_path):
    name = "对公贷款借据" + "x" * 300 + ".xlsx"
    path = stored_path(tmp_path, 17, name, AT)
    assert path.parent.name == "2026-11-10"
    assert path.name.startswith("17-对公贷款借据") and path.name.endswith(".xlsx")
    assert len((path.name + ".findings.xlsx.partial").encode()) <= 255


def test_a_kept_name_replaces_what_a_file_system_would_choke_on(tmp_path):
    assert stored_path(tmp_path, 3, "a/b:c?.csv", AT).name == "3-a_b_c_.csv"


def test_an_inbox_file_is_moved_the_same_inode(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = inbox / "loans.csv"
    source.write_text("x")
    inode = source.stat().st_ino
    target = tmp_path / "received" / "1-loans.csv"
    assert how_to_keep(source, inbox) == MOVE
    assert keep(source, target, MOVE) == MOVE
    assert not source.exists() and target.stat().st_ino == inode


def test_a_link_is_moved_as_a_link_and_fingerprinted_by_its_text(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    link = inbox / "passwd.csv"
    link.symlink_to("/etc/passwd")
    target = tmp_path / "received" / "1-passwd.csv"
    keep(link, target, MOVE)
    assert target.is_symlink() and os.readlink(target) == "/etc/passwd"
    receipt = fingerprint(1, link, target, AT)
    assert receipt.sha256 == hashlib.sha256(b"/etc/passwd").hexdigest()
    assert receipt.size_bytes == len("/etc/passwd")


def test_a_file_named_elsewhere_is_copied_and_left_in_place(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = tmp_path / "downloads" / "loans.csv"
    source.parent.mkdir()
    source.write_text("x")
    target = tmp_path / "received" / "2-loans.csv"
    assert how_to_keep(source, inbox) == COPY
    assert keep(source, target, COPY) == COPY
    assert source.read_text() == target.read_text() == "x"
    assert not list(target.parent.glob("*.partial"))


def test_putting_back_never_overwrites_a_file_that_arrived_meanwhile(tmp_path):
    kept = tmp_path / "1-loans.csv"
    kept.write_text("old")
    source = tmp_path / "inbox" / "loans.csv"
    source.parent.mkdir()
    source.write_text("new")
    back = put_back(kept, source)
    assert back.name == "loans.returned-1.csv"
    assert (source.read_text(), back.read_text()) == ("new", "old")
