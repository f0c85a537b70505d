with

pipeline as (

    select * from {{ ref('whitelist_pipeline') }}

),

banks as (

    select * from {{ ref('banks') }}

),

events as (

    -- Each stage a push reached, in the month it reached it.
    select bank_code, last_day(pushed_on) as period, 'pushed' as stage, null as days
    from pipeline
    union all
    select bank_code, last_day(contacted_on), 'contacted', null
    from pipeline
    where contacted_on is not null
    union all
    select bank_code, last_day(approved_on), 'approved', null
    from pipeline
    where approved_on is not null
    union all
    select bank_code, last_day(disbursed_on), 'disbursed', days_to_loan
    from pipeline
    where disbursed_on is not null

),

monthly as (

    select
        bank_code,
        period,
        sum(case when stage = 'pushed' then 1 else 0 end) as pushed,
        sum(case when stage = 'contacted' then 1 else 0 end) as contacted,
        sum(case when stage = 'approved' then 1 else 0 end) as approved,
        sum(case when stage = 'disbursed' then 1 else 0 end) as disbursed,
        median(case when stage = 'disbursed' then cast(days as double) end)
            as median_days_to_loan
    from events
    group by bank_code, period

),

final as (

    select
        monthly.bank_code,
        banks.bank_name,
        monthly.period,
        monthly.pushed,
        monthly.contacted,
        monthly.approved,
        monthly.disbursed,
        monthly.median_days_to_loan
    from monthly
    left join banks
        on monthly.bank_code = banks.bank_code

)

select * from final
