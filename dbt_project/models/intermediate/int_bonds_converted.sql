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
        cast(case
            when bonds.currency = 'CNY' then bonds.amount
            else round(bonds.amount * fx_rates.rate_to_cny, 2)
        end as decimal(20, 2)) as amount_cny
    from bonds
    left join fx_rates
        on bonds.currency = fx_rates.currency
        and bonds.period = fx_rates.period

)

select * from final
