{#- The one conversion to CNY (本外币合计, contract §4): an amount in `currency` at `rate`
    (the month-end rate of the `fx_rates` seed), per line, rounded per line to the cent.
    CNY is taken as it is; a foreign amount without a rate is NULL here, and the gate has
    already rejected any file that would leave one. -#}
{% macro to_cny(amount, currency, rate) -%}
    cast(
        case
            when {{ currency }} = 'CNY' then {{ amount }}
            else round(cast({{ amount }} as decimal(20, 2)) * {{ rate }}, 2)
        end
    as decimal(20, 2))
{%- endmacro %}
