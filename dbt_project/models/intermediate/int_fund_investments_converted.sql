with

deals as (

    select * from {{ ref('stg_raw__fund_investments') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

final as (

    -- A deal in foreign currency counts at its month's month-end rate.
    select
        deals.*,
        {{ to_cny('deals.amount', 'deals.currency', 'fx_rates.rate_to_cny') }} as amount_cny
    from deals
    left join fx_rates
        on deals.currency = fx_rates.currency
            and deals.period = fx_rates.period

)

select * from final
