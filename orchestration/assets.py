"""The Dagster assets: ingest (ledger → read → GX gate → raw), the dbt models, and the
published warehouse. Logic lives in the rooms; these functions wire it together."""


import logging
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, dbt_assets
from dagster_dbt.asset_utils import get_subset_selection_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from exports.packs import export_latest_quarter
from exports.scorecard import ExportError
from ingest.kinds import KINDS
from ingest.ledger import ACCEPTED, DUPLICATE, REJECTED, SUPERSEDED
from ingest.reference import load_reference
from orchestration import dbt
from orchestration.intake import IntakeReport, inbox_files, ingest_files
from quality.crossfile import GateSettings
from quality.gate import Gate
from quality.mart_gate import MART_TABLES, MartGate
from quality.rules import RULESET_VERSION
from warehouse.database import BUILD_CONFIG, connect_build, writer_lock
from warehouse.home import Home
from warehouse.publish import publish

# Progress lines for people: the CLI prints them, dagster.yaml hands them to the run log.
progress = logging.getLogger("zhirong.progress")
WRITER_POOL = "zhirong_build_warehouse"
# Publish waits for every mart (all of them are in the published file).
PUBLISHED_MARTS = ("bank_loan_metrics", "city_loan_metrics", "bank_scorecard",
                   "plan_target_progress", "enterprise_financing", "cluster_financing",
                   "listing_funnel")


class ZhirongHome(dg.ConfigurableResource):
    """Where the inbox, kept files and warehouses live (ZHIRONG_HOME)."""

    root: str

    def layout(self) -> Home:
        """The home's directories, created if missing."""
        return Home(Path(self.root)).ensure()


class QualityRules(dg.ConfigurableResource):
    """The gate's tolerances (fractions) and the due day of the month; see docs/rules.md."""

    reconcile_warning: float = GateSettings.reconcile_warning
    reconcile_error: float = GateSettings.reconcile_error
    mfg_change_bound: float = GateSettings.mfg_change_bound
    due_day: int = GateSettings.due_day

    def settings(self) -> GateSettings:
        """As the gate takes them."""
        return GateSettings(self.reconcile_warning, self.reconcile_error,
                            self.mfg_change_bound, self.due_day)

    @classmethod
    def from_settings(cls, settings: GateSettings) -> "QualityRules":
        """The resource holding `settings`."""
        return cls(reconcile_warning=settings.reconcile_warning,
                   reconcile_error=settings.reconcile_error,
                   mfg_change_bound=settings.mfg_change_bound, due_day=settings.due_day)


class IngestConfig(dg.Config):
    """Which files to take in: the ones named, or everything waiting in the inbox."""

    files: list[str] = []


class ZhirongDbtTranslator(DagsterDbtTranslator):
    """dbt models and seeds are keyed by their schema, so one naming chain runs from file to
    mart: `raw/loans` → `staging/stg_raw__loans` → … → `marts/bank_loan_metrics`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dbt_resource_props["schema"]
        return super().get_group_name(dbt_resource_props)


translator = ZhirongDbtTranslator()


@cache
def shared_gate(settings: GateSettings) -> Gate:
    """The GX gate, built once per process and settings (importing GX alone takes seconds)."""
    return Gate(load_reference(), settings)


@cache
def shared_mart_gate(settings: GateSettings) -> MartGate:
    """The mart gate's GX suites, built once per process and settings."""
    return MartGate(load_reference(), settings)


@dg.multi_asset(
    name="ingest_submissions",
    specs=[
        *(
            dg.AssetSpec(
                ["raw", kind],
                group_name="raw",
                description=f"Accepted `{kind}` rows ({spec.zh}), tagged with submission_id.",
            )
            for kind, spec in KINDS.items()
        ),
        dg.AssetSpec(["audit", "submissions"], group_name="audit",
                     description="The file ledger: every file ever received and its status."),
        dg.AssetSpec(["audit", "findings"], group_name="audit",
                     description="Every finding of the gate: file, row, column, rule, message."),
        dg.AssetSpec(["audit", "finding_counts"], group_name="audit",
                     description="How often each rule fired on each file: every occurrence "
                     "counted, where findings keeps the first examples."),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "gx_gate",
            asset=["raw", kind],
            blocking=True,
            description=f"Great Expectations gate for `{kind}`: files with errors are rejected "
            "whole (WARN); raw rows from any file the gate did not accept fail it (ERROR).",
        )
        for kind in KINDS
    ],
    pool=WRITER_POOL,
)
def ingest_submissions(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    zhirong: ZhirongHome,
    quality_rules: QualityRules,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Take in waiting files: ledger (sha256, duplicates), read and normalise with Polars, gate
    with Great Expectations, and load accepted files into the raw tables."""
    home = zhirong.layout()
    paths = [Path(f) for f in config.files] or inbox_files(home)
    progress.info("ingest: %d file(s) waiting", len(paths))
    with writer_lock(home):
        con = connect_build(home)
        try:
            settings = quality_rules.settings()
            report = ingest_files(paths, home, con, lambda: shared_gate(settings),
                                  progress=progress.info)
            strays = _rows_from_unaccepted(con, report)
        finally:
            con.close()
    loaded = report.rows_loaded
    for kind in KINDS:
        files = [o for o in report.outcomes if o.kind == kind]
        yield dg.MaterializeResult(
            asset_key=["raw", kind],
            metadata={
                "files_accepted": sum(o.status == ACCEPTED for o in files),
                "files_rejected": sum(o.status == REJECTED for o in files),
                "rows_loaded": loaded.get(kind, 0),
            },
        )
        rejected = [o for o in files if o.status == REJECTED]
        if strays.get(kind):
            passed, severity = False, dg.AssetCheckSeverity.ERROR
        else:
            passed, severity = not rejected, dg.AssetCheckSeverity.WARN
        yield dg.AssetCheckResult(
            asset_key=["raw", kind],
            check_name="gx_gate",
            passed=passed,
            severity=severity,
            metadata={
                "ruleset_version": RULESET_VERSION,
                "files_checked": len([o for o in files if o.status != DUPLICATE]),
                "files_rejected": len(rejected),
                "rejected": ", ".join(f"#{o.submission_id} {o.file_name}" for o in rejected[:20]),
                "rows_from_unaccepted_files": strays.get(kind, 0),
            },
        )
    ids = [o.submission_id for o in report.outcomes]
    yield dg.MaterializeResult(
        asset_key=["audit", "submissions"],
        metadata={
            **{status: report.count(status) for status in (ACCEPTED, REJECTED, DUPLICATE)},
            "first_submission_id": min(ids, default=0),
            "last_submission_id": max(ids, default=0),
            **{f"seconds_{step}": round(s, 3) for step, s in report.seconds.items()},
        },
    )
    yield dg.MaterializeResult(
        asset_key=["audit", "findings"],
        metadata={"errors": sum(o.errors for o in report.outcomes),
                  "warnings": sum(o.warnings for o in report.outcomes)},
    )
    yield dg.MaterializeResult(
        asset_key=["audit", "finding_counts"],
        metadata={"files_with_findings": sum(1 for o in report.outcomes
                                             if o.errors or o.warnings)},
    )


def _rows_from_unaccepted(con: duckdb.DuckDBPyConnection, report: IntakeReport) -> dict[str, int]:
    """Raw rows of this run's files that did not end accepted: must be none."""
    ids = [o.submission_id for o in report.outcomes]
    if not ids:
        return {}
    strays = {}
    for kind in KINDS:
        strays[kind] = con.execute(
            f"""
            select count(*)
            from raw.{kind} as r
            left join audit.submissions as s using (submission_id)
            where r.submission_id in (select unnest(?::bigint[]))
              and coalesce(s.status, '') not in (?, ?)
            """,
            [ids, ACCEPTED, SUPERSEDED],
        ).fetchone()[0]
    return strays


@dbt_assets(
    manifest=dbt.ensure_manifest(),
    project=dbt.project,
    dagster_dbt_translator=translator,
    pool=WRITER_POOL,
    name="dbt_models",
)
def dbt_models(context: dg.AssetExecutionContext, zhirong: ZhirongHome):
    """Seeds, staging, intermediate and marts, built and tested by dbt in-process."""
    home = zhirong.layout()
    manifest_blob = dbt.load_manifest()
    selection, indirect = get_subset_selection_for_context(
        context=context,
        manifest=manifest_blob,
        select="fqn:*",
        exclude=None,
        selector=None,
        dagster_dbt_translator=translator,
        current_dbt_indirect_selection_env=None,
    )
    if indirect:
        selection = [*selection, "--indirect-selection", indirect]

    def report(raw: dict) -> None:
        data = raw["data"]
        name = data["node_info"]["unique_id"].split(".")[2]
        if raw["info"]["name"] != "LogTestResult" or data.get("status") != "pass":
            progress.info("dbt [%s/%s] %s %s", data.get("index"), data.get("total"), name,
                          data.get("status"))

    with writer_lock(home):
        # The raw views name the raw store by absolute path: point them at this home.
        connect_build(home).close()
        outcome = dbt.build(home.build_db, selection, report)
    for raw in outcome.results:
        yield from DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={}) \
            .to_default_asset_events(
                manifest=manifest_blob,
                dagster_dbt_translator=translator,
                context=context,
                target_path=dbt.TARGET_DIR,
                project=dbt.project,
            )
    if outcome.failure:
        raise dg.Failure(description=outcome.failure)


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "gx_mart_gate",
            asset=["marts", table],
            blocking=True,
            description="Great Expectations mart gate before publish: ratios in [0, 1], parts "
            "≤ totals, unique keys, city = Σ banks, loan-level totals reconcile.",
        )
        for table in MART_TABLES
    ],
)
def mart_gate(context: dg.AssetCheckExecutionContext, zhirong: ZhirongHome,
              quality_rules: QualityRules) -> Iterator[dg.AssetCheckResult]:
    """Gate the marts before publish; a breach blocks the publish asset."""
    home = zhirong.layout()
    con = duckdb.connect(str(home.build_db), read_only=True, config=dict(BUILD_CONFIG))
    try:
        breaches = shared_mart_gate(quality_rules.settings()).check(con)
    finally:
        con.close()
    for table, found in breaches.items():
        for breach in found:
            progress.info("mart gate: %s %s", table, breach.describe())
        yield dg.AssetCheckResult(
            asset_key=["marts", table],
            check_name="gx_mart_gate",
            passed=not found,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(b.describe() for b in found) or None,
            metadata={"breaches": len(found),
                      "rules": ", ".join(b.rule.rule_id for b in found)},
        )


@dg.asset(
    key=["published", "warehouse"],
    deps=[dg.AssetKey(["marts", table]) for table in PUBLISHED_MARTS],
    group_name="published",
    pool=WRITER_POOL,
)
def published_warehouse(context: dg.AssetExecutionContext, zhirong: ZhirongHome):
    """The read-only warehouse analysts query: marts, reference data and the audit ledger,
    published by atomic rename; every version kept in published/history."""
    home = zhirong.layout()
    with writer_lock(home):
        con = connect_build(home)
        try:
            publication = publish(con, home, run_id=context.run_id,
                                  ruleset_version=RULESET_VERSION)
        finally:
            con.close()
    progress.info("published %s", publication.path)
    return dg.MaterializeResult(
        metadata={
            "path": str(publication.path),
            "version": str(publication.version_path),
            "tables": ", ".join(publication.tables),
        }
    )


@dg.asset(
    key=["exports", "scorecard_packs"],
    deps=[published_warehouse.key],
    group_name="exports",
)
def scorecard_packs(zhirong: ZhirongHome) -> dg.MaterializeResult:
    """Every bank's 督导评价 pack (XLSX, PDF, CSV) and the regulator workbook for the latest
    quarter-end published, in exports/YYYY-MM/."""
    home = zhirong.layout()
    try:
        done = export_latest_quarter(home.published_db, home.exports)
    except ExportError as nothing:
        # A warehouse without a quarter-end yet has nothing to export: not a failure.
        progress.info("exports: %s", nothing)
        return dg.MaterializeResult(metadata={"packs_written": 0, "note": str(nothing)})
    progress.info("exports %s: %s", f"{done.period:%Y-%m}",
                  "packs unchanged" if done.unchanged else f"{done.packs} banks' packs written")
    return dg.MaterializeResult(
        metadata={
            "period": f"{done.period:%Y-%m}",
            "folder": str(done.folder),
            "packs_written": done.packs,
            "packs_unchanged": done.unchanged,
            "regulator_workbook": str(done.workbook),
        }
    )
