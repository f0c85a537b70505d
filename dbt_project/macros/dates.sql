{#- Calendar arithmetic, the one engine-specific corner of the models (DuckDB here, Spark
    for the scale-out path). -#}

{#- The same day `n` years later; 29 February falls back to 28 February. -#}
{% macro add_years(date_expr, n) -%}
    {{ return(adapter.dispatch('add_years', 'zhirong')(date_expr, n)) }}
{%- endmacro %}

{% macro default__add_years(date_expr, n) -%}
    cast(({{ date_expr }}) + interval ({{ n }}) year as date)
{%- endmacro %}

{% macro spark__add_years(date_expr, n) -%}
    add_months({{ date_expr }}, 12 * ({{ n }}))
{%- endmacro %}

{#- The month-end `n` months before the month-end `period`. -#}
{% macro month_end_before(period, n) -%}
    {{ return(adapter.dispatch('month_end_before', 'zhirong')(period, n)) }}
{%- endmacro %}

{% macro default__month_end_before(period, n) -%}
    last_day(cast(({{ period }}) - interval ({{ n }}) month as date))
{%- endmacro %}

{% macro spark__month_end_before(period, n) -%}
    last_day(add_months({{ period }}, -({{ n }})))
{%- endmacro %}

{#- 31 December of the year before `period`: the base of 比年初增加. -#}
{% macro previous_year_end(period) -%}
    make_date(year({{ period }}) - 1, 12, 31)
{%- endmacro %}

{#- A ratio of two amounts as a double, NULL when the denominator is missing or zero
    (DuckDB would give inf, Spark NULL: make both NULL). -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

{#- `expression` of every row of the group joined by `separator`, in `order_by` order. -#}
{% macro ordered_list(expression, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_list', 'zhirong')(expression, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_list(expression, separator, order_by) -%}
    string_agg({{ expression }}, '{{ separator }}' order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_list(expression, separator, order_by) -%}
    array_join(transform(array_sort(collect_list(struct({{ order_by }} as k, {{ expression }} as v))), x -> x.v), '{{ separator }}')
{%- endmacro %}

{#- The Beijing calendar day of `ts`, a UTC timestamp without zone as the ledger stores
    receipt times: due days are Beijing days. -#}
{% macro beijing_date(ts) -%}
    cast(({{ ts }}) + interval 8 hour as date)
{%- endmacro %}

{#- Today in Beijing by the warehouse's clock (`var('as_of')` pins it, for a rerun). -#}
{% macro warehouse_today() -%}
    {%- if var('as_of', none) -%}
        cast('{{ var("as_of") }}' as date)
    {%- else -%}
        {{ return(adapter.dispatch('warehouse_today', 'zhirong')()) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__warehouse_today() -%}
    cast(timezone('Asia/Shanghai', current_timestamp) as date)
{%- endmacro %}

{% macro spark__warehouse_today() -%}
    to_date(from_utc_timestamp(current_timestamp(), 'Asia/Shanghai'))
{%- endmacro %}

{#- The day a month's files are due: `due_day` of the month after the month-end `period`. -#}
{% macro due_date(period, due_day) -%}
    make_date(
        year({{ month_end_before(period, -1) }}),
        month({{ month_end_before(period, -1) }}),
        {{ due_day }}
    )
{%- endmacro %}

{#- Whole months from the month-end `start` to the month-end `finish`. -#}
{% macro months_between_ends(start, finish) -%}
    ((year({{ finish }}) - year({{ start }})) * 12 + month({{ finish }}) - month({{ start }}))
{%- endmacro %}

{#- One row per month-end from `start` to `finish` (both month-ends), as `period`. -#}
{% macro month_end_series(start, finish) -%}
    {{ return(adapter.dispatch('month_end_series', 'zhirong')(start, finish)) }}
{%- endmacro %}

{% macro default__month_end_series(start, finish) -%}
    select last_day(cast(month_start as date)) as period
    from unnest(generate_series(
        cast(date_trunc('month', {{ start }}) as timestamp),
        cast(date_trunc('month', {{ finish }}) as timestamp),
        interval 1 month
    )) as months(month_start)
{%- endmacro %}

{% macro spark__month_end_series(start, finish) -%}
    select last_day(month_start) as period
    from (select explode(sequence(trunc({{ start }}, 'MM'), trunc({{ finish }}, 'MM'),
                                  interval 1 month)) as month_start)
{%- endmacro %}

{#- Now by the warehouse's clock, in UTC without a zone (as the ledger stores times). -#}
{% macro warehouse_now() -%}
    {{ return(adapter.dispatch('warehouse_now', 'zhirong')()) }}
{%- endmacro %}

{% macro default__warehouse_now() -%}
    timezone('UTC', current_timestamp)
{%- endmacro %}

{% macro spark__warehouse_now() -%}
    to_utc_timestamp(current_timestamp(), current_timezone())
{%- endmacro %}

{#- Whole days from `start` to `finish` (a bridge loan's term). -#}
{% macro days_between(start, finish) -%}
    {{ return(adapter.dispatch('days_between', 'zhirong')(start, finish)) }}
{%- endmacro %}

{% macro default__days_between(start, finish) -%}
    date_diff('day', {{ start }}, {{ finish }})
{%- endmacro %}

{% macro spark__days_between(start, finish) -%}
    datediff({{ finish }}, {{ start }})
{%- endmacro %}
