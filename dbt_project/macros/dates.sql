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
