{#- Σ `expression` over the banks for which `condition` holds (NULL when none). -#}
{% macro sum_over(condition, expression) -%}
    sum(case when {{ condition }} then {{ expression }} end)
{%- endmacro %}

{#- Annual average growth (年均增速) from the baseline: (now / base)^(12 / months) − 1. -#}
{% macro average_growth(now, base, months) -%}
    case
        when {{ months }} > 0
            then power({{ safe_ratio(now, base) }}, 12.0 / {{ months }}) - 1
    end
{%- endmacro %}

{#- A weight as people write it: 70, not 70.0. -#}
{% macro weight_text(expression) -%}
    regexp_replace(cast({{ expression }} as varchar), '\.0$', '')
{%- endmacro %}
