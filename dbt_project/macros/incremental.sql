{#- The current loans submissions not yet summed into `relation`, as a literal id list (or
    null when there are none). A literal list, rather than a subquery, lets DuckDB skip every
    other Parquet file of the raw store by its statistics. -#}
{% macro unsummed_loan_submissions(relation) %}
    {% set query %}
        select submission_id
        from {{ ref('stg_audit__submissions') }}
        where is_current
          and kind = 'loans'
          and submission_id not in (select submission_id from {{ relation }})
        order by submission_id
    {% endset %}
    {% if execute %}
        {% set ids = run_query(query).columns[0].values() %}
        {{ return(ids | join(', ') if ids else 'null') }}
    {% endif %}
    {{ return('null') }}
{% endmacro %}
