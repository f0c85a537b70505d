"""The Dagster assets: ingest (ledger → read → GX gate → raw), the dbt models, and the
published warehouse. Logic lives in the rooms; these functions wire it together."""

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, dbt_assets
from dagster_dbt.asset_utils import get_subset_selection_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from exports.findings_report import report_paths
from exports.packs import export_latest_quarter
from exports.scorecard import ExportError
from ingest.kinds import KINDS
from ingest.limits import ReadLimits
from ingest.reference import load_reference
from orchestration import dbt
from orchestration.intake import inbox_files, ingest_files
from orchestration.recovery import hold_run
from orchestration.settings import DEFAULT_LOCK_WAIT_SECONDS, as_of_from_environment
from quality.crossfile import GateSettings
from quality.gate import Gate
from quality.mart_gate import MART_TABLES, MartGate
from quality.rules import RULESET_VERSION
from warehouse import ledger
from warehouse.database import BUILD_CONFIG, connect_build
from warehouse.faults import crash_point
from warehouse.home import Home
from warehouse.ledger import ACCEPTED, DUPLICATE, REJECTED
from warehouse.publish import publish
from warehouse.raw import contents
from warehouse.received import printable

# Progress lines for people: the CLI prints them, dagster.yaml hands them to the run log.
progress = logging.getLogger("zhirong.progress")
WRITER_POOL = "zhirong_build_warehouse"
# Publish waits for every mart (all of them are in the published file).
PUBLISHED_MARTS = (
    "bank_loan_metrics",
    "city_loan_metrics",
    "bank_scorecard",
    "plan_target_progress",
    "enterprise_financing",
    "cluster_financing",
    "listing_funnel",
    "interest_subsidies",
    "guarantee_fee_subsidies",
    "bridge_loans",
    "risk_sharing",
    "risk_sharing_by_year",
    "policy_rewards",
    "whitelist_pipeline",
    "whitelist_pipeline_by_bank",
)


@contextmanager
def phase(title: str) -> Iterator[None]:
    """A step's header line, and its duration when it ends (or fails)."""
    progress.info("── %s ──", title)
    started = time.monotonic()
    try:
        yield
    finally:
        progress.info("── %s: %.1f s ──", title.split(" ·")[0], time.monotonic() - started)


class ZhirongHome(dg.ConfigurableResource):
    """Where the inbox, kept files and warehouses live (ZHIRONG_HOME)."""

    root: str

    def layout(self) -> Home:
        """The home's directories, created if missing."""
        return Home(Path(self.root)).ensure()


class QualityRules(dg.ConfigurableResource):
    """The gate's tolerances (fractions); see docs/rules.md. The due day is seed data
    (filing_obligations), shared with the models."""

    reconcile_warning: float = GateSettings.reconcile_warning
    reconcile_error: float = GateSettings.reconcile_error
    mfg_change_bound: float = GateSettings.mfg_change_bound
    loan_amount_tolerance: float = GateSettings.loan_amount_tolerance

    def settings(self) -> GateSettings:
        """As the gate takes them."""
        return GateSettings(
            reconcile_warning=self.reconcile_warning,
            reconcile_error=self.reconcile_error,
            mfg_change_bound=self.mfg_change_bound,
            loan_amount_tolerance=self.loan_amount_tolerance,
        )

    @classmethod
    def from_settings(cls, settings: GateSettings) -> "QualityRules":
        """The resource holding `settings`."""
        return cls(
            reconcile_warning=settings.reconcile_warning,
            reconcile_error=settings.reconcile_error,
            mfg_change_bound=settings.mfg_change_bound,
            loan_amount_tolerance=settings.loan_amount_tolerance,
        )


class FileLimits(dg.ConfigurableResource):
    """What a file may be before it is parsed (bytes, name, CSV line, XLSX unpacked size
    and cells, Parquet size); see docs/rules.md."""

    max_file_bytes: int = ReadLimits.max_file_bytes
    max_name_bytes: int = ReadLimits.max_name_bytes
    max_csv_line_bytes: int = ReadLimits.max_csv_line_bytes
    max_xlsx_unpacked_bytes: int = ReadLimits.max_xlsx_unpacked_bytes
    max_xlsx_ratio: int = ReadLimits.max_xlsx_ratio
    max_xlsx_cells: int = ReadLimits.max_xlsx_cells
    max_parquet_unpacked_bytes: int = ReadLimits.max_parquet_unpacked_bytes
    max_parquet_cells: int = ReadLimits.max_parquet_cells

    def limits(self) -> ReadLimits:
        """As the readers take them."""
        return ReadLimits(**{f.name: getattr(self, f.name) for f in fields(ReadLimits)})

    @classmethod
    def from_limits(cls, limits: ReadLimits) -> "FileLimits":
        """The resource holding `limits`."""
        return cls(**{f.name: getattr(limits, f.name) for f in fields(ReadLimits)})


class WarehouseWriter(dg.ConfigurableResource):
    """The home's writer lock, held from the first step of a run to its last (ingest →
    build → publish → exports), so no other run's steps can come in between. A run that
    finds another writer waits up to `wait_seconds`, then fails with the busy message.
    Taking the lock first settles whatever a crashed run left (orchestration.recovery)."""

    zhirong: ZhirongHome
    wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS

    @contextmanager
    def yield_for_execution(self, context) -> Iterator["WarehouseWriter"]:
        """Hold the lock while the run's steps execute (in-process executor: once a run)."""
        with hold_run(self.zhirong.layout(), self.wait_seconds, progress=progress.info):
            yield self


class IngestConfig(dg.Config):
    """Which files to take in: the ones named, or everything waiting in the inbox."""

    files: list[str] = []


class EvaluationRequest(dg.Config):
    """A quarter-end (YYYY-MM-DD) to freeze in this run, or empty for the cut-off rule."""

    freeze_period: str = ""


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
        dg.AssetSpec(
            ["audit", "submissions"],
            group_name="audit",
            description="The file ledger: every file ever received and its status.",
        ),
        dg.AssetSpec(
            ["audit", "findings"],
            group_name="audit",
            description="Every finding of the gate: file, row, column, rule, message.",
        ),
        dg.AssetSpec(
            ["audit", "finding_counts"],
            group_name="audit",
            description="How often each rule fired on each file: every occurrence "
            "counted, where findings keeps the first examples.",
        ),
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
    file_limits: FileLimits,
    writer: WarehouseWriter,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Take in waiting files: keep each, ledger (sha256, duplicates), read and normalise with
    Polars, gate with Great Expectations, and load accepted files into the raw store."""
    home = zhirong.layout()
    paths = [Path(f) for f in config.files] or inbox_files(home)
    with phase(f"接收与校验 ingest and gate · {len(paths)} 个文件 file(s)"):
        con = connect_build(home)
        try:
            settings = quality_rules.settings()
            report = ingest_files(
                paths,
                home,
                con,
                lambda: shared_gate(settings),
                progress=progress.info,
                limits=file_limits.limits(),
                run_id=context.run_id,
            )
            strays = ledger.stray_rows(con, KINDS, [o.submission_id for o in report.outcomes])
            rejections = {
                r.submission_id: r for r in ledger.run_outcome(con, context.run_id).rejections
            }
        finally:
            con.close()
        if report.seconds:
            progress.info(
                "用时 seconds: %s",
                " · ".join(f"{step} {seconds:.1f}" for step, seconds in report.seconds.items()),
            )
    for path, reason in report.left_in_place:
        progress.info(
            "无法接收 cannot take %s: %s（留在原处 left where it is）", printable(str(path)), reason
        )
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
                **_rejection_metadata(
                    [rejections[o.submission_id] for o in rejected if o.submission_id in rejections]
                ),
            },
            description=_rejection_summary(len(rejected)) if rejected else None,
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
        metadata={
            "errors": sum(o.errors for o in report.outcomes),
            "warnings": sum(o.warnings for o in report.outcomes),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["audit", "finding_counts"],
        metadata={"files_with_findings": sum(1 for o in report.outcomes if o.errors or o.warnings)},
    )
    crash_point("ingested")


def dbt_models_for(state: dbt.DbtState) -> dg.AssetsDefinition:
    """The dbt project's seeds, models and tests as Dagster assets and checks, from the
    manifest in `state` (parsed there when missing or stale: never at import)."""
    manifest_blob = dbt.load_manifest(state)
    project = state.project()

    @dbt_assets(
        manifest=manifest_blob,
        project=project,
        dagster_dbt_translator=translator,
        pool=WRITER_POOL,
        name="dbt_models",
    )
    def dbt_models(
        context: dg.AssetExecutionContext,
        config: EvaluationRequest,
        zhirong: ZhirongHome,
        writer: WarehouseWriter,
    ):
        """Seeds, staging, intermediate and marts, built and tested by dbt in-process; a
        quarter named in `config` is frozen into marts.evaluation_results now, whatever its
        cut-off (`zhirong evaluate`)."""
        home = zhirong.layout()
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
        yield from _build_models(context, home, selection, config, manifest_blob, project)

    return dbt_models


def _build_models(
    context,
    home: Home,
    selection: list[str],
    config: EvaluationRequest,
    manifest_blob: dict,
    project,
) -> Iterator:
    keys = list(context.selected_asset_keys)
    seeds = [key for key in keys if key.path[0] == "reference"]
    # A Dagster instance that has never seen the seeds built (a new instance on an existing
    # home) gets them loaded once, so the UI shows reference/* as materialized.
    unseen = bool(seeds) and context.instance.get_latest_materialization_event(seeds[0]) is None
    told = DbtProgress(nodes=len(keys), seeds=len(seeds))
    variables = {}
    if config.freeze_period:
        variables["freeze_period"] = config.freeze_period
    if as_of := as_of_from_environment():
        variables["as_of"] = as_of
    with phase(f"dbt 构建与测试 build and test · {len(keys)} 个模型与种子 models and seeds"):
        # The raw views name the raw store by absolute path: point them at this home.
        con = connect_build(home)
        try:
            inputs = contents(con, home)
        finally:
            con.close()
        outcome = dbt.build(
            home,
            selection,
            told.result,
            variables or None,
            reload_seeds=unseen,
            on_start=told.start,
            inputs=inputs,
        )
        told.summary()
    crash_point("built")
    selected = set(keys)
    # First the tables reused (everything they read is reused too), then what dbt built:
    # Dagster takes a multi-asset's outputs upstream first.
    for uid in outcome.reused:
        key = translator.get_asset_spec(manifest_blob, uid, project).key
        if key in selected:
            # The table holds what this build would have made of the same inputs: it is
            # current, and what depends on it (the published warehouse) goes ahead.
            yield dg.Output(
                value=None,
                output_name=key.to_python_identifier(),
                metadata={
                    "status": "reused",
                    "reason": "读取的数据未变 / every kind it reads is unchanged",
                },
            )
    for raw in outcome.results:
        yield from DbtCoreCliEventMessage(
            raw_event=raw, event_history_metadata={}
        ).to_default_asset_events(
            manifest=manifest_blob,
            dagster_dbt_translator=translator,
            context=context,
            target_path=project.target_path,
            project=project,
        )
    if outcome.failure:
        raise dg.Failure(description=outcome.failure)


@dataclass
class DbtProgress:
    """dbt's node results as numbered progress lines: models and seeds counted in the order
    they finish, tests summed (a failing one named at once)."""

    nodes: int
    seeds: int
    done: int = 0
    tests_passed: int = 0
    tests_failed: int = 0

    def start(self, skipped: dbt.Skipped) -> None:
        if skipped.seeds and self.seeds:
            self.nodes -= self.seeds
            progress.info(
                "dbt: %d 个参考数据种子未变，不重新加载，其 %d 项测试不重跑 / %d reference "
                "seeds unchanged, not reloaded, their %d tests not rerun",
                self.seeds,
                skipped.reference_tests,
                self.seeds,
                skipped.reference_tests,
            )
        if skipped.views:
            self.nodes -= skipped.views
            progress.info(
                "dbt: %d 个视图的 SQL 未变，不重建（其测试照常运行）/ %d views have the same "
                "SQL, not recreated (their tests run)",
                skipped.views,
                skipped.views,
            )
        if skipped.untouched_models or skipped.untouched_tests:
            self.nodes -= skipped.untouched_models
            progress.info(
                "dbt: %d 个表与 %d 项测试不读取有变的报送（%s），不重建、不重跑 / %d tables "
                "and %d tests read none of the kinds that changed (%s), not rebuilt or rerun",
                skipped.untouched_models,
                skipped.untouched_tests,
                "、".join(skipped.changed_kinds) or "无",
                skipped.untouched_models,
                skipped.untouched_tests,
                ", ".join(skipped.changed_kinds) or "none",
            )

    def result(self, raw: dict) -> None:
        data = raw["data"]
        name = data["node_info"]["unique_id"].split(".")[2]
        status = data.get("status")
        seconds = data.get("execution_time") or 0.0
        if raw["info"]["name"] == "LogTestResult":
            if status == "pass":
                self.tests_passed += 1
                return
            self.tests_failed += status in ("fail", "error")
            progress.info("dbt test %s %s", name, status)
            return
        self.done += 1
        progress.info(
            "dbt [%*d/%d] %s %s (%.1f s)",
            len(str(self.nodes)),
            self.done,
            self.nodes,
            name,
            status,
            seconds,
        )

    def summary(self) -> None:
        progress.info(
            "dbt: %d 个模型与种子 models and seeds, 测试 tests %d 通过 passed, %d 未通过 failed",
            self.done,
            self.tests_passed,
            self.tests_failed,
        )


# A check's metadata is for a person reading the UI: the first files in full, then a count.
REJECTIONS_SHOWN = 10


def _rejection_metadata(rejections: list[ledger.Rejection]) -> dict[str, dg.MetadataValue]:
    """Each rejected file's first errors and the path of its findings report, as the gx_gate
    check shows them in the Dagster UI."""
    shown: dict[str, dg.MetadataValue] = {}
    for r in rejections[:REJECTIONS_SHOWN]:
        xlsx = report_paths(r.stored)[1] if r.stored else None
        lines = [
            f"**#{r.submission_id} {r.file_name}** — {r.errors} 个错误 errors",
            *(f"- {f}" for f in r.findings),
        ]
        if xlsx is not None:
            lines.append(f"- 报告 findings report: `{xlsx}`")
        shown[f"rejected #{r.submission_id}"] = dg.MetadataValue.md("\n".join(lines))
        if xlsx is not None:
            shown[f"report #{r.submission_id}"] = dg.MetadataValue.path(str(xlsx))
    return shown


def _rejection_summary(count: int) -> str:
    return (
        f"{count} 个文件被拒收，见下方发现与报告路径 / {count} file(s) rejected: their first "
        "findings and report paths are in the metadata"
    )


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
def mart_gate(
    context: dg.AssetCheckExecutionContext, zhirong: ZhirongHome, quality_rules: QualityRules
) -> Iterator[dg.AssetCheckResult]:
    """Gate the marts before publish; a breach blocks the publish asset."""
    home = zhirong.layout()
    with phase("数据集市校验 mart gate"):
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
            metadata={"breaches": len(found), "rules": ", ".join(b.rule.rule_id for b in found)},
        )


@dg.asset(
    key=["published", "warehouse"],
    deps=[dg.AssetKey(["marts", table]) for table in PUBLISHED_MARTS],
    group_name="published",
    pool=WRITER_POOL,
)
def published_warehouse(
    context: dg.AssetExecutionContext, zhirong: ZhirongHome, writer: WarehouseWriter
):
    """The read-only warehouse analysts query: marts, reference data and the audit ledger,
    published by atomic rename; every version kept in published/history."""
    home = zhirong.layout()
    with phase("发布 publish"):
        con = connect_build(home)
        try:
            publication = publish(con, home, run_id=context.run_id, ruleset_version=RULESET_VERSION)
        finally:
            con.close()
    crash_point("published")
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
def scorecard_packs(zhirong: ZhirongHome, writer: WarehouseWriter) -> dg.MaterializeResult:
    """Every bank's 督导评价 pack (XLSX, PDF, CSV) and the regulator workbook for the latest
    quarter-end published, in exports/YYYY-MM/."""
    home = zhirong.layout()

    def written(number: int, total: int, pack) -> None:
        if total <= 20 or number % max(1, total // 10) == 0 or number == total:
            progress.info(
                "[%*d/%d] %s %s", len(str(total)), number, total, pack.bank_code, pack.bank_name
            )

    with phase("导出 exports · 得分卡与监管工作簿 packs and the regulator workbook"):
        try:
            done = export_latest_quarter(home.published_db, home.exports, progress=written)
        except ExportError as nothing:
            # A warehouse without a quarter-end yet has nothing to export: not a failure.
            progress.info("exports: %s", nothing)
            return dg.MaterializeResult(metadata={"packs_written": 0, "note": str(nothing)})
    progress.info(
        "exports %s: %s",
        f"{done.period:%Y-%m}",
        "packs unchanged" if done.unchanged else f"{done.packs} banks' packs written",
    )
    return dg.MaterializeResult(
        metadata={
            "period": f"{done.period:%Y-%m}",
            "folder": str(done.folder),
            "packs_written": done.packs,
            "packs_unchanged": done.unchanged,
            "regulator_workbook": str(done.workbook),
        }
    )
