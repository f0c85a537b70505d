"""Great Expectations suites built from the rule catalogue, in an in-memory context, and a
runner that turns each failed expectation into the rows it names."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import polars as pl

from ingest.reference import Reference
from quality.compact import CHECK, numbered_checks
from quality.crossfile import GateSettings
from quality.rules import RULES_BY_ID, Rule


class GateError(RuntimeError):
    """Great Expectations could not evaluate an expectation: the gate cannot decide."""


# Modules GX imports at start-up only for expectations the gate never names (KL divergence,
# KS tests): about 0.6 s of a 2 s import, on every `zhirong validate`. Only submodules
# reached by `from package import name` can wait: a plain `import x` touches the module.
_DEFERRED = ("scipy.stats",)


def import_gx():
    """Import Great Expectations, with the modules in `_DEFERRED` loaded on first use
    instead of at import. A missing or broken GX still raises here."""
    for name in _DEFERRED:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or spec.loader is None:
            continue  # absent: GX's own import reports it as before
        module = _Deferred(spec)
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)
    import great_expectations

    return great_expectations


class _Deferred(types.ModuleType):
    """A module that runs its code when a name it defines is first asked for. What the
    import system and `inspect` ask of any module — its name, spec, file, path — it answers
    without running it: `importlib.util.LazyLoader` loads on any attribute, and
    `inspect.getmodule` asks every module in `sys.modules` for its `__file__` (dbt's
    adapter does, through `inspect.stack()`, at every start: ~0.6 s of scipy for nothing)."""

    def __init__(self, spec: importlib.machinery.ModuleSpec):
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__loader__ = spec.loader
        self.__file__ = spec.origin
        self.__cached__ = spec.cached
        if spec.submodule_search_locations is not None:
            self.__path__ = list(spec.submodule_search_locations)
        self.__package__ = spec.parent if spec.submodule_search_locations is None else spec.name

    def __getattr__(self, attr: str):
        # Only names not set above come here; the module's own code runs once, then its
        # names are this object's too (`from scipy import stats` may hold this object).
        with _DEFERRED_LOCK:
            spec = self.__spec__
            module = sys.modules.get(spec.name)
            if module is self or module is None:
                module = importlib.util.module_from_spec(spec)
                sys.modules[spec.name] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    sys.modules[spec.name] = self
                    raise
                parent, _, child = spec.name.rpartition(".")
                if parent:
                    setattr(sys.modules[parent], child, module)
            self.__dict__.update({k: v for k, v in module.__dict__.items() if k not in _OWN_NAMES})
        return getattr(module, attr)


# The names a deferred module answers itself (the loaded module's own would be its spec's).
_OWN_NAMES = frozenset(
    ("__name__", "__spec__", "__loader__", "__file__", "__cached__", "__path__", "__package__")
)
_DEFERRED_LOCK = threading.RLock()


# Validations of part of one suite (the expectations a file failed) kept per gate.
_MOST_SUBSETS = 64


class Suites:
    """One GX validation definition per named group of rules, built when first run."""

    def __init__(
        self,
        groups: dict[str, Iterable[Rule]],
        reference: Reference,
        settings: GateSettings,
        conditioned: Iterable[str] = (),
    ):
        """`conditioned` names the suites that run over a reduced frame
        (`quality.compact`): each of their expectations gets a row condition on `_check`."""
        # A gate without GX must fail here, not when its first file comes.
        import_gx()
        from great_expectations.execution_engine import pandas_execution_engine

        # Registers the identifier expectations with GX before any suite names them.
        import quality.expectations  # noqa: F401
        from quality.gx_runtime import look_up_kwargs_once

        look_up_kwargs_once()

        # GX fingerprints every in-memory batch below this size (an md5 over all values,
        # kept only as batch metadata) — on a million loan lines that costs more than the
        # validation itself. Nothing here reads the fingerprint.
        pandas_execution_engine.HASH_THRESHOLD = 0

        self._reference, self._settings = reference, settings
        self._groups = {name: list(rules) for name, rules in groups.items()}
        self._conditioned = set(conditioned)
        self._validations = {}

    def names(self) -> list[str]:
        """The suites, by name."""
        return sorted(name for name, rules in self._groups.items() if rules)

    def build_all(self) -> None:
        """Build every suite now (a long-lived worker, so no run pays for them)."""
        for name in self.names():
            self._validation(name)

    def _validation(self, name: str):
        """The validation of suite `name`, built the first time any gate runs it: a run
        builds only the suites its files' kinds need (each costs ~0.15 s of GX
        bookkeeping), and gates with the same rules and settings share them."""
        return self._validation_of(name, None)

    def _validation_of(self, name: str, only: frozenset[int] | None):
        """The validation of suite `name`, or of just its expectations numbered `only`."""
        if (name, only) not in self._validations:
            expectations = []
            for number, (rule, check) in enumerate(numbered_checks(self._groups[name])):
                if only is not None and number not in only:
                    continue
                kwargs = {k: self._resolve(v) for k, v in check.kwargs.items()}
                condition = number if name in self._conditioned else None
                expectations.append(
                    (number, check.expectation, kwargs, rule.rule_id, check.column, condition)
                )
            self._validations[name, only] = _shared_validation(name, expectations)
        return self._validations[name, only]

    def _subsets(self, name: str) -> int:
        """How many validations of part of suite `name` this gate has built."""
        return sum(1 for built, only in self._validations if built == name and only is not None)

    def _resolve(self, value: Any) -> Any:
        """Registry sets and tolerances named in the catalogue (`@banks`, `@-reconcile_error`)."""
        if not (isinstance(value, str) and value.startswith("@")):
            return value
        name = value.lstrip("@-")
        if name == "banks":
            return sorted(self._reference.bank_codes)
        if name == "currencies":
            return sorted(self._reference.currencies)
        if name == "clusters":
            return sorted(self._reference.cluster_names)
        number = getattr(self._settings, name)
        return -number if value.startswith("@-") else number

    def run(
        self, name: str, frame: pl.DataFrame, index_columns: list[str]
    ) -> Iterator[tuple[dict, Rule, str | None]]:
        """Validate `frame` with suite `name`; yield (row index values, rule, column) for every
        row an expectation found unexpected. Raises GateError when GX could not decide.

        Two passes: every expectation asked only whether it holds, then the ones that do not
        asked again for the rows they find. Naming rows costs GX about as much again as the
        verdict, and most expectations hold on most files."""
        if frame.is_empty() or not self._groups.get(name):
            return
        data = {"dataframe": to_pandas(frame)}
        verdicts = self._validation(name).run(
            batch_parameters=data, result_format={"result_format": "BOOLEAN_ONLY"}
        )
        failed = frozenset(
            outcome.expectation_config.meta["check"]
            for outcome in _decided(name, verdicts)
            if not outcome.success
        )
        if not failed:
            return
        if (name, failed) in self._validations or self._subsets(name) < _MOST_SUBSETS:
            detail = self._validation_of(name, failed)
        else:
            # A long-lived service meets many sets of failures: past the bound, the whole
            # suite names the rows instead of yet another validation being built and kept.
            detail = self._validation(name)
        result = detail.run(
            batch_parameters=data,
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": index_columns,
                "return_unexpected_index_query": False,
                "partial_unexpected_count": 0,
            },
        )
        for outcome in _decided(name, result):
            meta = outcome.expectation_config.meta
            if meta["check"] not in failed:
                continue
            if outcome.success:
                # (The same expectation on the same frame: GX cannot change its mind.)
                raise GateError(f"{name}: {meta['rule_id']} failed, then held")
            hits = outcome.result.get("unexpected_index_list")
            if not hits:
                # A failed expectation that names no rows cannot be attributed: the gate
                # refuses to guess rather than let the batch through.
                raise GateError(f"{name}: {meta.get('rule_id')} failed without naming rows")
            rule = RULES_BY_ID[meta["rule_id"]]
            for hit in hits:
                yield hit, rule, meta["column"]


def _decided(name: str, result) -> Iterator:
    """The outcomes of a validation; GateError if GX could not evaluate one of them."""
    for outcome in result.results:
        raised = _raised_exception(outcome.exception_info)
        if raised:
            rule_id = (outcome.expectation_config.meta or {}).get("rule_id")
            raise GateError(f"{name}: {rule_id} could not be evaluated: {raised}")
        yield outcome


# One GX context for the process: GX checks a suite's freshness through its global
# project context, so suites of several contexts would be checked against the wrong one.
_BUILT: dict[str, Any] = {}
_BUILD_LOCK = threading.Lock()


def _shared_validation(name: str, expectations: list[tuple]):
    """The validation definition running `expectations` — (number in its suite,
    expectation, resolved kwargs, rule id, column, row-condition number or None) — built
    once per process."""
    key = repr((name, expectations))
    with _BUILD_LOCK:
        if key not in _BUILT:
            _BUILT[key] = _build(f"{name}-{len(_BUILT)}", expectations)
        return _BUILT[key]


def _build(name: str, expectations: list[tuple]):
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    import quality.expectations as custom

    context = _context()
    suite = gx.ExpectationSuite(name)
    for number, expectation, kwargs, rule_id, column, condition in expectations:
        cls = getattr(gx.expectations, expectation, None) or getattr(custom, expectation)
        if condition is not None:
            # A reduced frame holds every check's rows: each sees only its own.
            kwargs = {**kwargs, "row_condition": Column(CHECK) == condition}
        meta = {"rule_id": rule_id, "column": column, "check": number}
        suite.add_expectation(cls(**kwargs, meta=meta))
    asset = context.data_sources.get("zhirong").add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe(name)
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=context.suites.add(suite))
    )


@cache
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    # In memory only, no data-docs site, and no results kept: validation writes nothing,
    # anywhere, and a long-lived process does not grow with the files it gates.
    stores = InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    # (Under a name of its own: GX puts its default store back under the default name.)
    stores.stores["unkept_validation_results"] = {
        "class_name": "UnkeptValidationResults",
        "module_name": "quality.gx_runtime",
    }
    stores.validation_results_store_name = "unkept_validation_results"
    context = gx.get_context(
        mode="ephemeral", project_config=DataContextConfig(store_backend_defaults=stores)
    )
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("zhirong")
    return context


def to_pandas(frame: pl.DataFrame):
    """The frame as GX's pandas engine validates it fastest: text stays Arrow-backed (no
    copy), while numbers and dates become NumPy columns, for which GX's range and pair
    comparisons are vectorised instead of running per value in Python."""
    import pandas as pd

    native = (pl.Float64, pl.Float32, pl.Date, pl.Datetime)
    numeric = [c for c, t in frame.schema.items() if isinstance(t, native) or t in native]
    converted = frame.to_pandas(use_pyarrow_extension_array=True)
    for column in numeric:
        if frame.schema[column] == pl.Date:
            converted[column] = pd.to_datetime(frame[column].to_numpy())
        else:
            converted[column] = frame[column].cast(pl.Float64).to_numpy()
    return converted


def _raised_exception(info: dict | None) -> str | None:
    """The message of an exception GX caught while evaluating, at any depth of its report
    (GX nests metric failures under the metric's id)."""
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and (message := _raised_exception(value)):
            return message
    return None
