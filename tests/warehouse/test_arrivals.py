"""The arrival log: the first sighting of a file's bytes is its receipt time."""

from datetime import datetime

from tests.helpers import LOAN_HEADERS, loan, write_csv
from warehouse import arrivals
from warehouse.received import sha256_of


def test_an_arrival_is_noted_once_and_new_bytes_are_a_new_arrival(home, tmp_path):
    path = write_csv(tmp_path / "f.csv", [loan()], LOAN_HEADERS)
    digest = sha256_of(path)
    assert arrivals.note(home, digest, datetime(2026, 11, 10, 2)) == datetime(2026, 11, 10, 2)
    # Seen again later (a rerun, the sensor's next tick): the first sighting stands.
    assert arrivals.note(home, digest, datetime(2026, 11, 20, 2)) == datetime(2026, 11, 10, 2)
    # A sender who swaps the bytes after the first sighting gets a new arrival, not the old.
    changed = write_csv(
        tmp_path / "f.csv", [loan(balance="2.00", balance_cny="2.00")], LOAN_HEADERS
    )
    assert arrivals.first_seen(home, sha256_of(changed)) is None
