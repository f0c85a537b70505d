"""The gate: Great Expectations suites, built from the rule catalogue, decide whether each
file is accepted; their unexpected rows become findings naming row, column and rule.

Two validations per kind and batch keep GX's fixed cost per run, not per file: one over a
one-row-per-file facts frame (structure, one bank and one period, registered bank, and the
cross-file figures of `quality.crossfile`) and one over the rows of every structurally sound
file (arrow-backed pandas, only the columns the suite needs). A row's verdict is attributed
to its file through `submission_id`. A big chunk's rows are not handed over line by line:
the row rules first run over their lossless reductions (`quality.compact`), once per batch,
and only a file they fail is validated line by line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.batches import CHUNK_BYTES, Candidate, read_in_chunks, read_one, unexpected_failure
from ingest.kinds import KINDS, LINKED_KINDS
from ingest.limits import ReadLimits
from ingest.reference import Reference
from ingest.schema import AMOUNT, DATE, PERIOD, RATE
from ingest.submission import normalise_submissions
from ingest.unreadable import UnreadableFile
from quality.compact import PROBE, Compaction, numbered_checks, probe_hits
from quality.crossfile import (
    GateContext,
    GateSettings,
    cross_facts,
    empty_aggregates,
    file_aggregates,
)
from quality.linked import link_frame
from quality.rules import (
    AMOUNT_DETAIL,
    BORROWER_DETAIL,
    ERROR,
    FILE_LEVEL,
    LINK_LEVEL,
    LOAN_DETAIL,
    ROW_LEVEL,
    RULES_BY_ID,
    TECH_DETAIL,
    Rule,
    rules_for,
)
from quality.suites import GateError, Suites

log = logging.getLogger(__name__)

MAX_EXAMPLES_PER_RULE = 1000
# Rows validated in one GX run: each run costs ~0.5 s of GX bookkeeping, so fewer, larger
# runs are faster; an ingest batch (BATCH_BYTES of files) fits in one.
ROWS_PER_VALIDATION = 5_000_000
# A kind's rows in a chunk above this many are first judged on their reductions
# (`quality.compact`), once per batch; fewer are validated line by line at once, which for
# a small file is one GX run instead of two.
COMPACT_ABOVE_ROWS = 50_000
FINDINGS_SCHEMA = {
    "submission_id": pl.Int64,
    "rule_id": pl.String,
    "severity": pl.String,
    "row_number": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "message_zh": pl.String,
    "message_en": pl.String,
}


@dataclass
class Verdict:
    """How one file fared."""

    submission_id: int
    errors: int = 0
    warnings: int = 0
    rules: dict[str, int] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        """No error-severity finding."""
        return self.errors == 0


@dataclass
class GateResult:
    """Verdicts per submission, the findings behind them (up to MAX_EXAMPLES_PER_RULE per
    rule and file; `Verdict.rules` has the full counts), the per-file facts and the per-file
    aggregates the cross-file rules used."""

    verdicts: dict[int, Verdict]
    findings: pl.DataFrame
    facts: pl.DataFrame | None = None
    aggregates: pl.DataFrame = field(default_factory=empty_aggregates)


class Gate:
    """Great Expectations suites for every kind, built once per process."""

    def __init__(
        self,
        reference: Reference,
        settings: GateSettings | None = None,
        compact_above_rows: int = COMPACT_ABOVE_ROWS,
    ):
        self.reference = reference
        self.settings = settings or GateSettings()
        self.compact_above_rows = compact_above_rows
        groups = {
            f"{kind}_{level}": rules_for(kind, level)
            for kind in ["file", *KINDS]
            for level in (FILE_LEVEL, ROW_LEVEL, LINK_LEVEL)
        }
        compact = {f"{kind}_compact": rules_for(kind, ROW_LEVEL) for kind in KINDS}
        self.suites = Suites({**groups, **compact}, reference, self.settings, conditioned=compact)

    def warm_up(self) -> None:
        """Build every suite now, not when the first file of its kind comes."""
        self.suites.build_all()

    def suite_names(self) -> list[str]:
        """Names of the suites this gate runs."""
        return self.suites.names()

    def start(
        self, context: GateContext | None = None, limits: ReadLimits | None = None
    ) -> GateRun:
        """A gating pass to be fed chunk by chunk (see GateRun); `limits` are those the
        files were read within (a file is read again to name its lines' findings)."""
        return GateRun(self, context or GateContext(), limits or ReadLimits())

    def validate(
        self,
        candidates: Sequence[Candidate],
        frames: dict[str, pl.DataFrame],
        context: GateContext | None = None,
    ) -> GateResult:
        """Run every suite over `candidates`, whose normalised rows are in `frames` (one
        frame per kind, tagged with submission_id), and return a verdict per file. `context`
        holds what the warehouse already knows, for the cross-file rules."""
        run = self.start(context)
        run.add(candidates, frames)
        return run.finish()


class GateRun:
    """One gating pass over many files. Row-level suites run as each chunk of files arrives
    (`add`), so only a chunk's rows are ever in memory; the file-level and cross-file suites
    run once over every file's facts at the end (`finish`), and then the link-level suites
    over the (small) claim and compensation files, once every loans file of the batch has
    been read and judged."""

    def __init__(self, gate: Gate, context: GateContext, limits: ReadLimits):
        self._gate = gate
        self._context = context
        self._limits = limits
        self._compacted: dict[str, Compaction] = {}
        self._candidates: dict[int, Candidate] = {}
        self._counts: dict[tuple[int, str], int] = {}
        self._findings: list[pl.DataFrame] = []
        self._facts: list[pl.DataFrame] = []
        self._aggregates: list[pl.DataFrame] = []
        self._linked: list[tuple[str, pl.DataFrame]] = []

    def add(self, candidates: Sequence[Candidate], frames: dict[str, pl.DataFrame]) -> None:
        """Gate the rows of `candidates` (normalised rows in `frames`) and keep their facts.
        Should a suite fail on the chunk, each file is gated alone, so only the file that
        breaks it is rejected (FL-E-012, with the error) and the others are judged."""
        kept = self._mark()
        try:
            self._add(candidates, frames)
            return
        except Exception:  # noqa: BLE001 — find the file at fault below
            log.debug("gating a chunk failed; gating its files one by one", exc_info=True)
            self._reset(kept)
        for candidate in candidates:
            own = {
                kind: frame.filter(pl.col("submission_id") == candidate.submission_id)
                for kind, frame in frames.items()
                if kind == candidate.kind
            }
            kept = self._mark()
            try:
                self._add([candidate], own)
            except Exception as exc:  # noqa: BLE001 — one file's fault must not stop the rest
                self._reset(kept)
                candidate.submission, candidate.unreadable = None, unexpected_failure(exc)
                self._add([candidate], {})

    def _mark(self) -> tuple:
        return (
            dict(self._counts),
            len(self._findings),
            len(self._facts),
            len(self._aggregates),
            len(self._linked),
            {kind: c.mark() for kind, c in self._compacted.items()},
        )

    def _reset(self, mark: tuple) -> None:
        counts, findings, facts, aggregates, linked, compacted = mark
        self._counts = counts
        del self._findings[findings:], self._facts[facts:], self._aggregates[aggregates:]
        del self._linked[linked:]
        for kind in list(self._compacted):
            if kind in compacted:
                self._compacted[kind].reset(compacted[kind])
            else:
                del self._compacted[kind]

    def _add(self, candidates: Sequence[Candidate], frames: dict[str, pl.DataFrame]) -> None:
        by_id = {c.submission_id: c for c in candidates}
        self._candidates.update(by_id)
        sound = [
            c.submission_id
            for c in candidates
            if c.submission is not None and c.submission.structurally_sound
        ]
        self._aggregates.append(file_aggregates(frames, sound, self._gate.reference))
        self._facts.append(file_facts(candidates, frames))
        for kind, frame in frames.items():
            ids = [sid for sid in sound if by_id[sid].kind == kind]
            for chunk in _chunks([by_id[sid] for sid in ids], ROWS_PER_VALIDATION):
                chosen = [c.submission_id for c in chunk]
                rows = row_frame(
                    kind, frame.filter(pl.col("submission_id").is_in(chosen)), self._gate.reference
                )
                if rows.height > self._gate.compact_above_rows:
                    self._compaction(kind).add(rows)
                else:
                    self._run(f"{kind}_row", rows, ["submission_id", "row_number"], by_id)
            if kind in LINKED_KINDS and ids:
                self._linked.append((kind, frame.filter(pl.col("submission_id").is_in(ids))))

    def _compaction(self, kind: str) -> Compaction:
        if kind not in self._compacted:
            self._compacted[kind] = Compaction(numbered_checks(rules_for(kind, ROW_LEVEL)))
        return self._compacted[kind]

    def _judge_compacted(self) -> None:
        """Run each kind's row rules over its reductions; a file one of them fails is read
        again and validated line by line, for findings naming every row."""
        for kind, compaction in self._compacted.items():
            frame = compaction.frame()
            hits = self._gate.suites.run(f"{kind}_compact", frame, [PROBE])
            for sid in sorted(compaction.failing_files(frame, probe_hits(hits))):
                self._revalidate(kind, self._candidates[sid])
        self._compacted = {}

    def _revalidate(self, kind: str, candidate: Candidate) -> None:
        sid, earlier = candidate.submission_id, candidate.submission
        again = read_one(earlier.path, candidate.file_name, self._limits)
        if isinstance(again, UnreadableFile) or again.row_count != earlier.row_count:
            raise GateError(f"{candidate.file_name} could not be read again to name its findings")
        frame = normalise_submissions({sid: again})[kind]
        # The findings quote the cells from the text read again; the candidate keeps its own.
        candidate.submission = again
        try:
            rows = row_frame(kind, frame, self._gate.reference)
            self._run(f"{kind}_row", rows, ["submission_id", "row_number"], {sid: candidate})
        finally:
            candidate.submission = earlier
            again.release()

    def finish(self) -> GateResult:
        """Run the file-level and cross-file suites and return every file's verdict."""
        self._judge_compacted()
        candidates = self._candidates
        aggregates = pl.concat(self._aggregates) if self._aggregates else empty_aggregates()
        facts = pl.concat(self._facts, how="vertical_relaxed") if self._facts else None
        if facts is not None:
            facts = facts.join(
                cross_facts(aggregates, self._context, self._gate.settings),
                on="submission_id",
                how="left",
            )
            self._run("file_file", facts, ["submission_id"], candidates)
            for kind in KINDS:
                ids = [sid for sid, c in candidates.items() if c.kind == kind]
                if ids:
                    self._run(
                        f"{kind}_file",
                        facts.filter(pl.col("submission_id").is_in(ids)),
                        ["submission_id"],
                        candidates,
                    )
        self._link(candidates)
        verdicts = {sid: Verdict(sid) for sid in candidates}
        for (sid, rule_id), count in self._counts.items():
            verdict = verdicts[sid]
            verdict.rules[rule_id] = verdict.rules.get(rule_id, 0) + count
            if RULES_BY_ID[rule_id].severity == ERROR:
                verdict.errors += count
            else:
                verdict.warnings += count
        examples = (
            pl.concat(self._findings, how="vertical") if self._findings else _empty_findings()
        )
        return GateResult(verdicts, examples, facts, aggregates)

    def _link(self, candidates: dict[int, Candidate]) -> None:
        """Match each claim's and compensation's loan with the bank's loans, leaving out the
        batch's files already rejected (a loan in a refused file was never accepted)."""
        rejected = {
            sid for (sid, rule_id) in self._counts if RULES_BY_ID[rule_id].severity == ERROR
        }
        for kind in LINKED_KINDS:
            parts = [rows for k, rows in self._linked if k == kind]
            if not parts:
                continue
            rows = pl.concat(parts, how="vertical_relaxed")
            frame = link_frame(kind, rows, self._context.loans, rejected)
            self._run(f"{kind}_link", frame, ["submission_id", "row_number"], candidates)

    def _run(
        self,
        suite: str,
        frame: pl.DataFrame,
        index_columns: list[str],
        by_id: dict[int, Candidate],
    ) -> None:
        log.debug("gate: suite %s over %d rows", suite, frame.height)
        rows = []
        for hit, rule, column in self._gate.suites.run(suite, frame, index_columns):
            sid = int(hit["submission_id"])
            key = (sid, rule.rule_id)
            seen = self._counts.get(key, 0)
            self._counts[key] = seen + 1
            # Every hit is counted; only the first examples become findings rows.
            if seen < MAX_EXAMPLES_PER_RULE:
                rows.append((sid, hit.get("row_number"), rule, column))
        if rows:
            self._findings.append(_findings(rows, frame, by_id))


@dataclass
class GatedBatch:
    """Files read, normalised and judged together, and the seconds each step took."""

    candidates: list[Candidate]
    result: GateResult
    seconds: dict[str, float] = field(default_factory=dict)


def gate_files(
    gate: Gate | Callable[[], Gate] | None,
    files: Sequence[tuple[int, Path, str]],
    context: GateContext | None = None,
    on_chunk: Callable[[dict[str, pl.DataFrame]], None] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    limits: ReadLimits | None = None,
    on_file: Callable[[Candidate], None] | None = None,
) -> GatedBatch:
    """Judge `files` — (submission_id, path to read, name the bank gave it) — as
    `ingest.batches.read_in_chunks` hands them over, without writing anything; `on_chunk`
    sees each chunk's normalised rows before they are let go (ingest stages them), `on_file`
    each file once its rows are checked (the cross-file verdicts come at the end). Ingest
    and the bank-side check both come through here. `gate` may be a function that makes
    one: it is then called while the first files are read (importing GX takes a second or
    two of the main thread, reading the files the other core)."""
    seconds = {"read": 0.0, "normalise": 0.0, "gate": 0.0}
    candidates: list[Candidate] = []
    if not files:
        return GatedBatch([], GateResult({}, _empty_findings()), seconds)
    runs: list[GateRun] = []

    def start() -> None:
        clock = time.perf_counter()
        judge = gate if isinstance(gate, Gate) else gate()
        runs.append(judge.start(context, limits))
        seconds["gate"] += time.perf_counter() - clock

    for chunk in read_in_chunks(files, limits, chunk_bytes, seconds, meanwhile=start):
        run = runs[0]
        clock = time.perf_counter()
        run.add(chunk.candidates, chunk.frames)
        seconds["gate"] += time.perf_counter() - clock
        if on_chunk is not None:
            on_chunk(chunk.frames)
        for candidate in chunk.candidates:
            if on_file is not None:
                on_file(candidate)
            if candidate.submission is not None:
                candidate.submission.release()
        candidates.extend(chunk.candidates)
        # Drop this chunk before the next is prepared: two chunks at most are ever held here
        # (and one more while `on_chunk`'s writer, if it writes in the background, has it).
        del chunk
    clock = time.perf_counter()
    result = runs[0].finish()
    seconds["gate"] += time.perf_counter() - clock
    return GatedBatch(candidates, result, seconds)


def _chunks(candidates: list[Candidate], limit: int) -> Iterable[list[Candidate]]:
    chunk: list[Candidate] = []
    size = 0
    for candidate in candidates:
        if chunk and size + candidate.submission.row_count > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(candidate)
        size += candidate.submission.row_count
    if chunk:
        yield chunk


def file_facts(candidates: Sequence[Candidate], frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per file with what the file-level rules decide on."""
    schema = {
        "submission_id": pl.Int64,
        "unreadable_rule": pl.String,
        "detail_zh": pl.String,
        "detail_en": pl.String,
        "missing_required": pl.Int64,
        "missing_names": pl.String,
        "duplicated_columns": pl.Int64,
        "duplicated_names": pl.String,
        "unknown_columns": pl.Int64,
        "unknown_names": pl.String,
        "row_count": pl.Int64,
    }
    records = []
    for c in candidates:
        sub = c.submission
        zh = {col.name: col.zh for col in sub.kind.columns} if sub else {}
        records.append(
            {
                "submission_id": c.submission_id,
                "unreadable_rule": c.unreadable.rule_id if c.unreadable else None,
                "detail_zh": c.unreadable.message_zh if c.unreadable else None,
                "detail_en": c.unreadable.message_en if c.unreadable else None,
                "missing_required": len(sub.missing) if sub else 0,
                "missing_names": "、".join(f"{zh[m]}({m})" for m in sub.missing) or None
                if sub
                else None,
                "duplicated_columns": len(sub.duplicated) if sub else 0,
                "duplicated_names": "、".join(sub.duplicated) or None if sub else None,
                "unknown_columns": len(sub.unknown) if sub else 0,
                "unknown_names": "、".join(sub.unknown) or None if sub else None,
                "row_count": sub.row_count if sub else None,
            }
        )
    facts = pl.DataFrame(records, schema=schema)
    readable = [c for c in candidates if c.submission is not None]
    if not readable:
        return facts.with_columns(
            pl.lit(None, pl.Int64).alias("bank_count"),
            pl.lit(None, pl.String).alias("bank_names"),
            pl.lit(None, pl.String).alias("bank_code"),
            pl.lit(None, pl.Int64).alias("period_count"),
            pl.lit(None, pl.String).alias("period_names"),
            pl.lit(None, pl.Date).alias("period"),
        )
    keys = pl.concat(
        [
            frame.select(
                "submission_id",
                pl.col(KINDS[kind].reporter_column).alias("_bank"),
                pl.col(KINDS[kind].period_column).alias("_period"),
            )
            for kind, frame in frames.items()
        ],
        how="vertical",
    )
    banks = pl.col("_bank").drop_nulls().unique().sort()
    periods = pl.col("_period").drop_nulls().unique().sort()
    per_file = keys.group_by("submission_id").agg(
        banks.len().cast(pl.Int64).alias("bank_count"),
        banks.head(10).str.join("、").alias("bank_names"),
        pl.when(banks.len() == 1).then(banks.first()).alias("bank_code"),
        periods.len().cast(pl.Int64).alias("period_count"),
        periods.head(10).dt.strftime("%Y-%m").str.join("、").alias("period_names"),
        pl.when(periods.len() == 1).then(periods.first()).alias("period"),
    )
    return facts.join(per_file, on="submission_id", how="left").with_columns(
        pl.when(pl.col("row_count").is_not_null()).then(pl.col("bank_count").fill_null(0)),
        pl.when(pl.col("row_count").is_not_null()).then(pl.col("period_count").fill_null(0)),
        pl.col("bank_names").replace("", "—"),
        pl.col("period_names").replace("", "—"),
    )


# The computed column a missing-rate finding reports: currency and month.
FX_NEEDED = "fx_rate_needed"
# Computed columns a row finding reports instead of a cell, and the file's column whose
# header it names: the missing rate (currency), what is wrong with a claim's loan.
COMPUTED_DETAILS = {
    FX_NEEDED: "currency",
    LOAN_DETAIL: "loan_id",
    TECH_DETAIL: "loan_id",
    BORROWER_DETAIL: "loan_id",
    AMOUNT_DETAIL: "loan_amount",
}
# Which facts column explains a file-level finding.
_FACT_DETAIL = {
    "missing_required": "missing_names",
    "duplicated_columns": "duplicated_names",
    "unknown_columns": "unknown_names",
    "row_count": "row_count",
    "bank_count": "bank_names",
    "bank_code": "bank_code",
    "period_count": "period_names",
    "corporate_gap": "corporate_detail",
    "corporate_gap_warn": "corporate_detail",
    "mfg_gap": "mfg_detail",
    "mfg_gap_warn": "mfg_detail",
    "mfg_change": "change_detail",
    "counterpart_present": None,
    "days_late": "late_detail",
}


def row_frame(kind: str, frame: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """The rows the row-level suite checks: only the columns it needs, amounts as doubles,
    plus what a rule computes in code (a foreign-currency loan's period-end rate)."""
    spec = KINDS[kind]
    needed = {"submission_id", "row_number"}
    for rule in rules_for(kind, ROW_LEVEL):
        for check in rule.checks:
            for key in ("column", "column_A", "column_B"):
                if key in check.kwargs:
                    needed.add(check.kwargs[key])
            needed.update(check.kwargs.get("column_list", []))
    if "fx_rate_found" in needed:
        # Only foreign amounts need a rate (a loan with the bank's own CNY figure does not):
        # look those few up rather than joining every line.
        needs_rate = pl.col("currency").is_not_null() & (pl.col("currency") != "CNY")
        if kind == "loans":
            needs_rate = needs_rate & pl.col("balance_cny").is_null()
        rates = reference.fx_rates.select(
            "currency", pl.col("period").alias("report_period"), pl.lit(True).alias("_rate")
        )
        found = (
            frame.filter(needs_rate)
            .select("submission_id", "row_number", "currency", "report_period")
            .join(rates, on=["currency", "report_period"], how="left")
            .select(
                "submission_id",
                "row_number",
                pl.col("_rate").fill_null(False).alias("fx_rate_found"),
                pl.format("{} {}", "currency", pl.col("report_period").dt.strftime("%Y-%m")).alias(
                    FX_NEEDED
                ),
            )
        )
        frame = frame.join(
            found, on=["submission_id", "row_number"], how="left", maintain_order="left"
        )
        needed.add(FX_NEEDED)
    numeric = {c.name for c in spec.columns if c.parse in (AMOUNT, RATE)}
    dates = {c.name for c in spec.columns if c.parse in (DATE, PERIOD)}
    # Dates go to GX as day numbers: its pair comparisons are then plain NumPy integer work.
    return frame.select(
        pl.col(c).cast(pl.Float64)
        if c in numeric
        else pl.col(c).cast(pl.Int32)
        if c in dates
        else pl.col(c)
        for c in sorted(needed)
    )


def _findings(
    hits: list[tuple[int, int | None, Rule, str | None]],
    frame: pl.DataFrame,
    by_id: dict[int, Candidate],
) -> pl.DataFrame:
    """Findings with the bank's own header and text for each hit."""
    if not hits:
        return _empty_findings()
    records = []
    facts = frame if "unreadable_rule" in frame.columns else None
    # What a rate is missing for ("SGD 2026-09"), what is wrong with a claim's loan: computed,
    # not a cell the bank sent.
    computed = {
        detail: {
            (r[0], r[1]): r[2]
            for r in frame.select("submission_id", "row_number", detail).drop_nulls().iter_rows()
        }
        for detail in COMPUTED_DETAILS
        if detail in frame.columns
    }
    for sid, row_number, rule, column in hits:
        candidate = by_id[sid]
        header, value = None, None
        message_zh, message_en = rule.message_zh, rule.message_en
        if column in COMPUTED_DETAILS:
            value = computed.get(column, {}).get((sid, row_number))
            named = COMPUTED_DETAILS[column]
            header = candidate.submission.headers.get(named, named)
            column = None
        elif row_number is None and facts is not None:
            fact_column = rule.checks[0].kwargs["column"]
            fact = facts.filter(pl.col("submission_id") == sid).row(0, named=True)
            if fact_column == "unreadable_rule":
                # The reader said why in both languages; that is the whole message.
                message_zh, message_en = fact["detail_zh"], fact["detail_en"]
            elif _FACT_DETAIL[fact_column]:
                detail = fact[_FACT_DETAIL[fact_column]]
                value = None if detail is None else str(detail)
        elif candidate.submission is not None and column is not None:
            header = candidate.submission.headers.get(column, column)
        records.append(
            {
                "submission_id": sid,
                "rule_id": rule.rule_id,
                "severity": rule.severity,
                "row_number": row_number,
                "column": header,
                "canonical": column,
                "value": value,
                "message_zh": message_zh.replace("{value}", value or ""),
                "message_en": message_en.replace("{value}", value or ""),
            }
        )
    found = pl.DataFrame(records, schema={**FINDINGS_SCHEMA, "canonical": pl.String})
    found = _attach_row_text(found, by_id)
    return found


def _attach_row_text(found: pl.DataFrame, by_id: dict[int, Candidate]) -> pl.DataFrame:
    """Fill a row finding's value with the text the bank sent in that cell."""
    parts = [found.filter(pl.col("row_number").is_null() | pl.col("canonical").is_null())]
    row_hits = found.filter(pl.col("row_number").is_not_null() & pl.col("canonical").is_not_null())
    for (sid, column), group in row_hits.group_by("submission_id", "canonical"):
        # (A Parquet file's typed cell is shown as its text.)
        text = by_id[sid].submission.text.select(
            "row_number", pl.col(column).cast(pl.String).alias("_text")
        )
        joined = group.join(text, on="row_number", how="left").with_columns(
            pl.col("_text").alias("value")
        )
        parts.append(joined.drop("_text"))
    return (
        pl.concat(parts, how="vertical")
        .drop("canonical")
        .sort("submission_id", "row_number", "rule_id", nulls_last=False)
    )


def _empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDINGS_SCHEMA)
