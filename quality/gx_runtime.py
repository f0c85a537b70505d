"""Two changes to how Great Expectations runs inside the gate, none to what it decides: the
gate's context keeps no validation results, and an expectation's keyword arguments are
looked up from one build of its configuration instead of one build per keyword."""

from __future__ import annotations

import great_expectations as gx
from great_expectations.data_context.store import ValidationResultsStore
from great_expectations.expectations.expectation import Expectation, parse_result_format

# The GX release the lookups below were written from (its `expectation.py`, lines
# 1389-1421). Under another release, GX keeps its own.
LOOKUPS_WRITTEN_FOR = "1.24.1"
GX_OWN_LOOKUPS = {
    name: getattr(Expectation, name)
    for name in ("_get_domain_kwargs", "_get_success_kwargs", "_get_runtime_kwargs")
}
_ORIGINAL_SUCCESS_KWARG = Expectation._get_success_kwarg


class UnkeptValidationResults(ValidationResultsStore):
    """A validation results store that keeps nothing. GX's in-memory store serialises and
    holds every result for the life of the process — in a long-lived worker or the filing
    service, some 80 KB for each small pair of files gated, without bound. The gate reads
    each outcome from the result a run returns."""

    def set(self, key, value, **kwargs) -> bool:
        """Accept the result and keep nothing."""
        return True


def look_up_kwargs_once() -> bool:
    """Have every expectation build its configuration once per lookup of its keyword
    arguments, when GX is the release these lookups were written from; True if so.

    GX rebuilds the whole configuration (a pydantic dump of every field, value sets of a
    few hundred codes included) for each domain, success and runtime keyword it reads, three
    times per expectation per validation: about a quarter of the gate's time on a small
    file. The values returned are GX's own (tests/quality/test_gx_runtime.py)."""
    if gx.__version__ != LOOKUPS_WRITTEN_FOR:
        return False
    Expectation._get_domain_kwargs = _domain_kwargs
    Expectation._get_success_kwargs = _success_kwargs
    Expectation._get_runtime_kwargs = _runtime_kwargs
    return True


def _domain_kwargs(self, kwargs: dict | None = None) -> dict:
    kwargs = self.configuration.kwargs if kwargs is None else kwargs
    return {key: kwargs.get(key, self._get_default_value(key)) for key in self.domain_keys}


def _success_kwargs(self, kwargs: dict | None = None) -> dict:
    kwargs = self.configuration.kwargs if kwargs is None else kwargs
    found = {key: kwargs.get(key, self._get_default_value(key)) for key in self.success_keys}
    found.update(_domain_kwargs(self, kwargs))
    return found


def _runtime_kwargs(self, runtime_configuration: dict | None = None) -> dict:
    runtime_configuration = runtime_configuration or {}
    kwargs = self.configuration.kwargs
    found = {
        key: runtime_configuration.get(
            key, kwargs[key] if key in kwargs else _ORIGINAL_SUCCESS_KWARG(self, key)
        )
        for key in self.runtime_keys
    }
    found.update(_success_kwargs(self, kwargs))
    found["result_format"] = parse_result_format(found["result_format"])
    return found
