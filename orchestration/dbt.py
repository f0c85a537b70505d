"""dbt, in-process: the project, its manifest, and a `dbt build` whose results become Dagster
events. dbtRunner costs ~0.3 s per call against ~3.5 s for the CLI subprocess."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from warehouse.home import Home

log = logging.getLogger(__name__)

# The project ships inside the package (a wheel holds it too); dbt never writes here: each
# home keeps its own target/ and logs/ (`DbtState`).
DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}
_SOURCES = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")
# What dagster-dbt passes for a whole-project run, and the same minus the seeds.
FULL_SELECTION = ["--select", "fqn:*"]
SEEDLESS_SELECTION = [
    "--select",
    "resource_type:model",
    "resource_type:test",
    "resource_type:snapshot",
]


class DbtFailed(RuntimeError):
    """dbt could not parse the project."""


@dataclass(frozen=True)
class DbtState:
    """dbt's runtime state for one home: target/ (manifest, run results, partial parse) and
    logs/, under HOME/dbt — never in the installed project."""

    root: Path
    # The warehouse the profile points at: a parse must see the same profile as the build,
    # or the build finds its partial-parse state stale and parses the project again.
    build_db: Path | None = None

    @classmethod
    def of(cls, home: Home) -> DbtState:
        """The state directory of `home`."""
        return cls(home.dbt, home.build_db)

    @property
    def target(self) -> Path:
        """dbt's target path."""
        return self.root / "target"

    @property
    def logs(self) -> Path:
        """dbt's log path."""
        return self.root / "logs"

    @property
    def manifest_path(self) -> Path:
        """The parsed project."""
        return self.target / "manifest.json"

    def project(self) -> DbtProject:
        """The project as dagster-dbt describes it, with this home's target path."""
        return DbtProject(
            project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=self.target
        )


def _parse_key(state: DbtState) -> str:
    """What a parse of the project is made from: every model, macro, seed, test and project
    file, dbt's and its adapter's releases (their macros are in the manifest), and the build
    warehouse's file name (it names the database of every node). No home's path reaches the
    manifest, so the same key is the same parse in any home."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-adapters", "dbt-duckdb"):
        digest.update(f"{package} {version(package)}\n".encode())
    digest.update((state.build_db or Path("zhirong_build.duckdb")).name.encode())
    _digest_files(digest, _SOURCES)
    return digest.hexdigest()


def _digest_files(digest: Any, names: tuple[str, ...]) -> None:
    """Add the path and bytes of every file under `names` (folders or files of the project)
    to `digest`, in a fixed order."""
    for name in names:
        path = DBT_PROJECT_DIR / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(str(file.relative_to(DBT_PROJECT_DIR)).encode())
                digest.update(file.read_bytes())


def parse_cache() -> Path:
    """Where parses are kept for every home of this machine: $ZHIRONG_PARSE_CACHE, else
    zhirong/dbt-parse under the user's cache folder."""
    configured = os.environ.get("ZHIRONG_PARSE_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zhirong" / "dbt-parse"


# The files of a parse: the manifest (Dagster's definitions are read from it) and dbt's own
# serialised project (loaded back as the Manifest a build is given).
_PARSE_FILES = ("manifest.json", "partial_parse.msgpack")
_KEPT_PARSES = 8


def ensure_manifest(state: DbtState) -> Path:
    """The home's dbt manifest for the project as it is now: already there, copied from the
    machine's parse cache (a new home, or one the project changed under, that another home
    has already parsed: ~3 s less), or parsed in-process and then kept in the cache."""
    manifest = state.manifest_path
    key = _parse_key(state)
    stamp = state.target / "parse.sha256"
    if manifest.exists() and stamp.is_file() and stamp.read_text() == key:
        return manifest
    # The stamp goes first and comes back last: a crash in between leaves a parse to redo.
    stamp.unlink(missing_ok=True)
    if not _copy_cached(key, state.target):
        result = _invoke(["parse"], state, build_db=state.build_db)
        if not result.success:
            raise DbtFailed(f"dbt parse failed: {result.exception}")
        _PARSED[state.target] = (key, result.result)
        _cache(key, state.target)
    stamp.write_text(key)
    return manifest


def _copy_cached(key: str, target: Path) -> bool:
    """Copy the cached parse `key` into `target`; False when there is none (or it cannot be
    read whole)."""
    cached = parse_cache() / key
    if not all((cached / name).is_file() for name in _PARSE_FILES):
        return False
    target.mkdir(parents=True, exist_ok=True)
    try:
        for name in _PARSE_FILES:
            part = target / f".{name}.{os.getpid()}"
            shutil.copyfile(cached / name, part)
            part.replace(target / name)
        # Read now (and kept: the definitions read it next), so a damaged copy costs a
        # parse, not the definitions.
        manifest = target / "manifest.json"
        _read_manifest(manifest, manifest.stat().st_mtime_ns)
    except (OSError, ValueError):
        log.debug("copying the cached parse %s failed; parsing", key, exc_info=True)
        return False
    return True


def _cache(key: str, target: Path) -> None:
    """Keep the parse just written to `target` for other homes (the newest few are kept).
    The cache only saves time: failing to write it is not an error."""
    cache = parse_cache()
    entry = cache / key
    if entry.is_dir():
        return
    part = cache / f".{key}.{os.getpid()}"
    try:
        part.mkdir(parents=True, exist_ok=True)
        for name in _PARSE_FILES:
            shutil.copyfile(target / name, part / name)
        part.rename(entry)  # whole or not at all; another process may have won
    except OSError:
        log.debug("keeping the parse %s failed", key, exc_info=True)
        shutil.rmtree(part, ignore_errors=True)
        return
    entries = sorted(
        (p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in entries[:-_KEPT_PARSES]:
        shutil.rmtree(old, ignore_errors=True)


def warm_up(state: DbtState) -> None:
    """Load dbt's project, profile and adapter in this process (a parse given the project
    already parsed: it reads nothing and writes nothing, and opens no database), and keep
    the parsed project: a long-lived worker's builds then neither load dbt nor parse again
    (~2 s off the first, 0.1–0.3 s off every one)."""
    ensure_manifest(state)
    parsed = _parsed(state)
    result = _invoke(["parse", "--no-write-json"], state, build_db=state.build_db, manifest=parsed)
    if not result.success:
        raise DbtFailed(f"dbt parse failed: {result.exception}")
    if parsed is None and result.result is not None:
        # The home's serialised project could not be loaded: dbt parsed it; keep that.
        _PARSED[state.target] = (_parse_key(state), result.result)


# The project as this process last parsed or loaded it, per dbt target folder, with the key
# of what it was parsed from: dbt takes it instead of parsing again (`dbtRunner(manifest=…)`,
# its documented way to reuse a parse across invocations). The project's variables are
# applied when a node is compiled, so one parse serves builds with different `--vars`.
_PARSED: dict[Path, tuple[str, Any]] = {}


def _parsed(state: DbtState) -> Any | None:
    """The parsed project for the home's target as the project is now: this process's, or
    dbt's serialised one in the target (written by the parse the stamp names, here or in the
    home the cache copied it from) loaded back as dbt's partial parse loads it when nothing
    changed — without its check of the profile, which would find another home's warehouse
    path and parse everything again. None when neither is current: dbt parses."""
    key = _parse_key(state)
    kept = _PARSED.get(state.target)
    if kept is not None and kept[0] == key:
        return kept[1]
    stamp = state.target / "parse.sha256"
    if not stamp.is_file() or stamp.read_text() != key:
        return None
    try:
        from dbt.contracts.graph.manifest import Manifest

        manifest = Manifest.from_msgpack((state.target / "partial_parse.msgpack").read_bytes())
        manifest.build_parent_and_child_maps()
        manifest.build_flat_graph()
    except Exception:  # noqa: BLE001 — a damaged file: dbt parses, as it would
        log.debug("loading the parsed project failed; dbt parses", exc_info=True)
        return None
    _PARSED[state.target] = (key, manifest)
    return manifest


def load_manifest(state: DbtState) -> dict[str, Any]:
    """The parsed manifest as a dict (dagster-dbt reads node properties from it)."""
    path = ensure_manifest(state)
    return _read_manifest(path, path.stat().st_mtime_ns)


@cache
def _read_manifest(path: Path, mtime_ns: int) -> dict[str, Any]:
    return json.loads(path.read_text())


@contextmanager
def _environment(build_db: Path | None) -> Iterator[None]:
    """profiles.yml reads the build warehouse's path from ZHIRONG_BUILD_DB."""
    previous = os.environ.get("ZHIRONG_BUILD_DB")
    if build_db is not None:
        os.environ["ZHIRONG_BUILD_DB"] = str(build_db)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("ZHIRONG_BUILD_DB", None)
        else:
            os.environ["ZHIRONG_BUILD_DB"] = previous


def _invoke(
    args: list[str],
    state: DbtState,
    build_db: Path | None,
    callbacks: list[Callable] | None = None,
    manifest: Any | None = None,
):
    from dbt.cli.main import dbtRunner

    state.logs.mkdir(parents=True, exist_ok=True)
    common = [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(state.target),
        "--log-path",
        str(state.logs),
        "--quiet",
    ]
    with _environment(build_db):
        try:
            return dbtRunner(manifest=manifest, callbacks=callbacks or []).invoke([*args, *common])
        finally:
            _release_duckdb()


def _release_duckdb() -> None:
    """dbt-duckdb keeps its database open for the life of the process; close it so the build
    warehouse's lock is held only while dbt works."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None and hasattr(env, "close"):
        env.close()
    DuckDBConnectionManager.close_all_connections()


@dataclass
class DbtOutcome:
    """What a `dbt build` did: every node result (dbt's structured-log dicts, which
    dagster-dbt turns into asset events), the tables it reused, and, when it failed, why."""

    results: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None
    # Tables left as the last build made them (every input unchanged): still current.
    reused: list[str] = field(default_factory=list)


def build(
    home: Home,
    selection: list[str],
    on_result: Callable[[dict[str, Any]], None],
    variables: dict[str, str] | None = None,
    reload_seeds: bool = False,
    on_start: Callable[[Skipped], None] | None = None,
    inputs: dict[str, str] | None = None,
) -> DbtOutcome:
    """Run `dbt build` on `selection` against the home's build warehouse, reporting each node's
    result to `on_result` as it finishes; `variables` are the project's vars. Seeds already
    loaded unchanged are skipped unless `reload_seeds`, and so are views already created from
    the same SQL in this warehouse; `inputs` — a fingerprint of each raw kind
    (`warehouse.raw.contents`) — leaves out, besides, the tables and tests that read only
    kinds unchanged since the last successful build. `on_start` hears what was skipped."""
    from dbt_common.events.functions import msg_to_dict

    build_db = home.build_db
    outcome = DbtOutcome()
    errors: list[str] = []

    def collect(event) -> None:
        if event.info.name in RESULT_EVENTS:
            raw = msg_to_dict(event)
            outcome.results.append(raw)
            on_result(raw)
        elif event.info.level == "error":
            errors.append(event.info.msg)

    # Unit tests check the SQL's logic on fixed inputs, not the night's data: the test suite
    # runs them (tests/dbt_project/test_bank_scorecard.py), the nightly build does not.
    args = ["build", *selection, "--exclude-resource-type", "unit_test"]
    skipped = Skipped()
    stamp = build_db.with_name("seeds.sha256")
    loaded = _seeds_fingerprint(build_db)
    unchanged = stamp.is_file() and stamp.read_text() == loaded
    excluded: list[str] = []
    if unchanged and selection == FULL_SELECTION and not reload_seeds:
        # The reference tables already hold exactly these seeds: reloading a dozen of them
        # costs ~2 s a night for nothing. Everything else is selected by type, so the tests
        # that join marts to seeds still run (an exclusion would drop them too).
        args = ["build", *SEEDLESS_SELECTION, "--exclude-resource-type", "unit_test"]
        skipped.seeds = True
        # A test of the seeds alone already passed on exactly these tables, under the same
        # test definitions (both in the fingerprint): its answer cannot have changed.
        reference_tests = _reference_tests(DbtState.of(home))
        excluded += reference_tests
        skipped.reference_tests = len(reference_tests)
    views_stamp = build_db.with_name("views.sha256")
    # The project's vars are part of what a view's SQL is compiled from (`as_of`).
    views = f"{_views_fingerprint(build_db)} {json.dumps(variables or {}, sort_keys=True)}"
    indirect: list[str] = []
    if selection == FULL_SELECTION and views_stamp.is_file() and views_stamp.read_text() == views:
        # A view is a stored query: recreating it with the same SQL changes nothing it
        # returns (DuckDB binds a view's tables when it is read). Its tests still run —
        # selected directly, they are not dropped with it.
        excluded.append("config.materialized:view")
        indirect = ["--indirect-selection", "empty"]
        skipped.views = _view_count(DbtState.of(home))
    inputs_stamp = build_db.with_name("inputs.json")
    if skipped.seeds and skipped.views and inputs and inputs_stamp.is_file():
        before = json.loads(inputs_stamp.read_text())
        if before.get("views") == views:
            # Same SQL, same seeds, same variables, same warehouse file: a table or test that
            # reads only kinds whose files and ledger rows are as they were would compute
            # what it holds or found already.
            changed = {kind for kind, seen in inputs.items() if before["kinds"].get(kind) != seen}
            models, tests = _untouched(DbtState.of(home), set(inputs) - changed)
            nodes = load_manifest(DbtState.of(home))["nodes"]
            excluded += [nodes[uid]["name"] for uid in models + tests]
            skipped.changed_kinds = sorted(changed)
            skipped.untouched_models, skipped.untouched_tests = len(models), len(tests)
            outcome.reused = models
    if excluded:
        args += ["--exclude", *excluded, *indirect]
    if on_start is not None:
        on_start(skipped)
    if variables:
        args += ["--vars", json.dumps(variables)]
    # The manifest stays the one the parse wrote (the definitions were built from it; a
    # long-lived worker keeps them while it stands): a build rewriting its 1.5 MB, and
    # run_results.json, which nothing reads, costs ~0.4 s a run.
    args.append("--no-write-json")
    stamp.unlink(missing_ok=True)
    views_stamp.unlink(missing_ok=True)
    inputs_stamp.unlink(missing_ok=True)
    state = DbtState.of(home)
    result = _invoke(args, state, build_db, [collect], manifest=_parsed(state))
    if result.success:
        stamp.write_text(loaded)
        if selection == FULL_SELECTION:
            views_stamp.write_text(views)
            if inputs:
                inputs_stamp.write_text(json.dumps({"views": views, "kinds": inputs}))
    if not result.success:
        failed = [
            f"{r['data']['node_info']['unique_id']} ({r['data'].get('status')})"
            for r in outcome.results
            if r["data"].get("status") in ("error", "fail")
        ]
        outcome.failure = "dbt build failed: " + "; ".join(
            failed or errors or [str(result.exception)]
        )
    return outcome


@dataclass
class Skipped:
    """What a build left as it was: the seeds (already loaded unchanged) and how many tests
    of theirs alone, how many views (already created from the same SQL), and how many tables
    and tests that read none of the kinds that changed."""

    seeds: bool = False
    reference_tests: int = 0
    views: int = 0
    changed_kinds: list[str] = field(default_factory=list)
    untouched_models: int = 0
    untouched_tests: int = 0


def _views_fingerprint(build_db: Path) -> str:
    """Everything a view's SQL is made from — the models, macros and project settings — and
    the database file it was created in."""
    digest = hashlib.sha256()
    _digest_files(digest, ("models", "macros", "dbt_project.yml", "profiles.yml"))
    inode = build_db.stat().st_ino if build_db.exists() else 0
    return f"{digest.hexdigest()} {inode}"


def _view_count(state: DbtState) -> int:
    nodes = load_manifest(state)["nodes"].values()
    return sum(
        1
        for node in nodes
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view"
    )


def _reference_tests(state: DbtState) -> list[str]:
    """The names of the data tests whose every parent is a seed."""
    nodes = load_manifest(state)["nodes"].values()
    return sorted(
        node["name"]
        for node in nodes
        if node["resource_type"] == "test"
        and node["depends_on"]["nodes"]
        and all(parent.startswith("seed.") for parent in node["depends_on"]["nodes"])
    )


# A kind's staging model reads its raw files and which of them the ledger holds current
# (`is_current`, decided within the kind): what it returns follows from that kind's
# fingerprint alone. Every other read of the ledger, and the clock, can change any night.
RAW_STAGING = "stg_raw__"
CLOCK = "macro.zhirong.warehouse_today"
_NOW = re.compile(r"current_(date|timestamp)|\b(now|today)\s*\(", re.IGNORECASE)


def _moves(node: dict[str, Any]) -> bool:
    """Whether a node's result can change with nothing it reads changed: it reads the clock,
    or it is incremental (what it adds depends on what it already holds)."""
    return (
        CLOCK in node["depends_on"].get("macros", [])
        or bool(_NOW.search(node.get("raw_code") or ""))
        or node.get("config", {}).get("materialized") == "incremental"
    )


def _untouched(state: DbtState, unchanged: set[str]) -> tuple[list[str], list[str]]:
    """The unique ids of the tables (upstream first) and of the data tests that read nothing
    but seeds and kinds in `unchanged` (through their staging models): not the ledger, not
    the clock."""
    nodes = load_manifest(state)["nodes"]
    kinds_read: dict[str, frozenset[str] | None] = {}

    def reads(uid: str) -> frozenset[str] | None:
        """The kinds `uid` reads, or None when it reads something that moves on its own."""
        if uid in kinds_read:
            return kinds_read[uid]
        node = nodes.get(uid)
        found: frozenset[str] | None = frozenset()
        if node is None or _moves(node):
            found = None  # a source read directly (the ledger), today's date, its own past
        elif node["resource_type"] == "seed":
            found = frozenset()
        elif node["name"].startswith(RAW_STAGING):
            found = frozenset({node["name"].removeprefix(RAW_STAGING)})
        else:
            for parent in node["depends_on"]["nodes"]:
                upstream = reads(parent)
                if upstream is None:
                    found = None
                    break
                found |= upstream
        kinds_read[uid] = found
        return found

    models, tests = [], []
    for uid, node in nodes.items():
        kinds = reads(uid) if node["resource_type"] in ("model", "test") else None
        if not kinds or not kinds <= unchanged:
            continue  # seeds alone are another skip's; None or a changed kind: it runs
        if node["resource_type"] == "test":
            tests.append(uid)
        elif node["config"]["materialized"] != "view":
            models.append(uid)
    return _upstream_first(models, nodes), sorted(tests)


def _upstream_first(uids: list[str], nodes: dict[str, Any]) -> list[str]:
    """`uids` ordered so that each comes after everything of theirs it reads (the order in
    which Dagster takes a multi-asset's outputs)."""
    wanted, ordered, seen = set(uids), [], set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in nodes:
            return
        seen.add(uid)
        for parent in nodes[uid]["depends_on"].get("nodes", []):
            visit(parent)
        if uid in wanted:
            ordered.append(uid)

    for uid in sorted(uids):
        visit(uid)
    return ordered


def _seeds_fingerprint(build_db: Path) -> str:
    """The seeds' files, column types and tests (the generic tests' code too), and which
    database file they were loaded into (a recreated warehouse has a new inode, so its seeds
    are loaded again)."""
    digest = hashlib.sha256()
    _digest_files(digest, ("seeds", "tests", "macros"))
    digest.update((DBT_PROJECT_DIR / "dbt_project.yml").read_bytes())
    inode = build_db.stat().st_ino if build_db.exists() else 0
    return f"{digest.hexdigest()} {inode}"


def unit_tests(home: Home) -> list[str]:
    """Run dbt's unit tests (hand-computed expectations on fixed inputs) against the home's
    build warehouse; return the names of those that did not pass."""
    results: list[dict[str, Any]] = []

    def collect(event) -> None:
        if event.info.name in RESULT_EVENTS:
            from dbt_common.events.functions import msg_to_dict

            results.append(msg_to_dict(event))

    state = DbtState.of(home)
    ensure_manifest(state)
    outcome = _invoke(
        ["test", "--select", "test_type:unit"],
        state,
        home.build_db,
        [collect],
        manifest=_parsed(state),
    )
    failed = [
        r["data"]["node_info"]["unique_id"] for r in results if r["data"].get("status") != "pass"
    ]
    if not outcome.success and not failed:
        failed.append(str(outcome.exception))
    if not results:
        failed.append("no unit test ran")
    return failed
