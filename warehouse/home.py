"""Where everything lives under a Zhirong home (`--home`, `ZHIRONG_HOME`, `./zhirong_home`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path("zhirong_home")


@dataclass(frozen=True)
class Home:
    """The directory layout of one Zhirong installation.

    inbox/       files waiting to be ingested (the sensor watches it)
    received/    every file ever received, kept forever, by receipt date
    arrivals/    when each file's bytes were first seen (the warehouse's clock)
    filings/     who filed and signed the files the filing service handed over
    raw/         the accepted rows, one Parquet file per accepted submission and kind
    build/       the build warehouse (the single writer's database) and its lock
    published/   the published warehouse readers open, and every earlier version
    exports/     scorecard packs and workbooks
    dagster/     the Dagster instance (DAGSTER_HOME): every run, materialization and check
    dbt/         dbt's target/ and logs/ for this home
    service/     the filing service's own store (accounts), never the warehouse's
    """

    root: Path

    @property
    def inbox(self) -> Path:
        """Drop files here."""
        return self.root / "inbox"

    @property
    def received(self) -> Path:
        """Every received file, kept forever."""
        return self.root / "received"

    @property
    def arrivals(self) -> Path:
        """The arrival log (`warehouse.arrivals`)."""
        return self.root / "arrivals"

    @property
    def filings(self) -> Path:
        """The filing log (`warehouse.filings`)."""
        return self.root / "filings"

    @property
    def raw(self) -> Path:
        """Accepted rows: raw/<kind>/<submission_id>.parquet."""
        return self.root / "raw"

    @property
    def build_dir(self) -> Path:
        """The build warehouse's directory."""
        return self.root / "build"

    @property
    def build_db(self) -> Path:
        """The build warehouse: raw tables, audit ledger, models."""
        return self.build_dir / "zhirong_build.duckdb"

    @property
    def writer_lock(self) -> Path:
        """Held by the one process that writes the build warehouse."""
        return self.build_dir / "writer.lock"

    @property
    def published_dir(self) -> Path:
        """The published warehouse and its history."""
        return self.root / "published"

    @property
    def published_db(self) -> Path:
        """The published, read-only warehouse."""
        return self.published_dir / "zhirong.duckdb"

    @property
    def history_dir(self) -> Path:
        """Every version ever published, named by its publication time."""
        return self.published_dir / "history"

    @property
    def exports(self) -> Path:
        """Scorecard packs and workbooks."""
        return self.root / "exports"

    @property
    def dagster(self) -> Path:
        """The Dagster instance's home."""
        return self.root / "dagster"

    @property
    def dbt(self) -> Path:
        """dbt's runtime state (target/, logs/) for this home."""
        return self.root / "dbt"

    @property
    def service(self) -> Path:
        """The filing service's own store: accounts and sessions (`service.accounts`)."""
        return self.root / "service"

    @property
    def accounts_db(self) -> Path:
        """The filing service's accounts (SQLite)."""
        return self.service / "accounts.sqlite"

    @property
    def submissions_db(self) -> Path:
        """The filing service's submissions, findings and signatures (SQLite)."""
        return self.service / "submissions.sqlite"

    @property
    def uploads(self) -> Path:
        """Every file uploaded to the filing service, kept forever, by receipt date."""
        return self.service / "uploads"

    def ensure(self) -> Home:
        """Create every directory; return self."""
        for path in (
            self.inbox,
            self.received,
            self.raw,
            self.build_dir,
            self.history_dir,
            self.exports,
            self.dagster,
            self.dbt,
        ):
            path.mkdir(parents=True, exist_ok=True)
        return self
