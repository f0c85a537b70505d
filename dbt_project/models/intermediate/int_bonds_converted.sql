with

bonds as (

    select * from {{ ref('stg_raw__bonds') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

final as (

    -- 境外债 in foreign currency counts at the issue month's month-end rate.
    select
        bonds.*,
        {{ to_cny('bonds.amount', 'bonds.currency', 'fx_rates.rate_to_cny') }} as amount_cny
    from bonds
    left join fx_rates
        on bonds.currency = fx_rates.currency
            and bonds.period = fx_rates.period

)

select * from final
