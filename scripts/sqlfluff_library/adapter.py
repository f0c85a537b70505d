"""What `adapter` is to sqlfluff's Jinja templater: dbt's `adapter.dispatch(name)` picks the
DuckDB implementation of the macro (`duckdb__name`, else `default__name`) from the
template's own context, so a model lints as the SQL dbt-duckdb renders. Used only by
sqlfluff (pyproject.toml, [tool.sqlfluff.templater.jinja])."""

from jinja2 import pass_context


@pass_context
def dispatch(context, name, macro_namespace=None):
    """The macro dbt-duckdb would dispatch `name` to."""
    for candidate in (f"duckdb__{name}", f"default__{name}"):
        macro = context.get(candidate)
        if macro is not None:
            return macro
    raise KeyError(f"no duckdb__{name} or default__{name} macro")
