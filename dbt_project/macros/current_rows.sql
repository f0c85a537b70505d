{#- The rows of `relation` (a raw kind) that belong to current submissions: the latest
    accepted file per kind × reporter × period wins; superseded files stay in raw. A
    semi-join, so DuckDB builds on the ledger's side however many rows the store holds. -#}
{% macro current_rows(relation) %}
    select *
    from {{ relation }}
    where submission_id in (
        select submission_id from {{ ref('stg_audit__submissions') }} where is_current
    )
{% endmacro %}

{#- Keep the newest row per `key` across current files (an id corrected in a later
    month's file replaces its earlier row). -#}
{% macro newest_per(relation, key) %}
    select * from (
        select
            *,
            row_number() over (partition by {{ key }} order by submission_id desc) as recency
        from {{ relation }}
    ) as ranked
    where recency = 1
{% endmacro %}
