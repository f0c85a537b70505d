-- depends_on: {{ ref('stg_audit__submissions') }}
{{ config(
    materialized='incremental',
    unique_key=['bank_code', 'period'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

loans as (

    select * from {{ ref('int_loans_classified') }}
    {% if is_incremental() %}
    -- Nightly cost must not grow with history: only the bank × months whose current loans
    -- file is not the one already summed here are read again (a new month, a resubmission).
    where submission_id in ({{ unsummed_loan_submissions(this) }})
    {% endif %}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

grouped as (

    -- Sum first, convert after: the rate join then touches a few rows per bank and month,
    -- not every loan. The industry class is kept so 33618 clusters need no second scan.
    select
        bank_code,
        period,
        submission_id,
        industry_code,
        industry_division,
        currency,
        is_manufacturing,
        is_medium_long_term,
        is_credit,
        count(*) as loan_count,
        coalesce(sum(balance_cny), 0) as own_cny,
        sum(case when balance_cny is null then balance end) as to_convert
    from loans
    group by all

),

converted as (

    -- 本外币合计: the bank's own CNY figure where given, else foreign currency at the
    -- period-end rate.
    select
        grouped.*,
        grouped.own_cny + coalesce(
            case
                when grouped.currency = 'CNY' then grouped.to_convert
                else round(grouped.to_convert * fx_rates.rate_to_cny, 2)
            end,
            0
        ) as balance_in_cny
    from grouped
    left join fx_rates
        on grouped.currency = fx_rates.currency
        and grouped.period = fx_rates.period

),

aggregated as (

    select
        bank_code,
        period,
        submission_id,
        industry_code,
        industry_division,
        is_manufacturing,
        is_medium_long_term,
        is_credit,
        sum(loan_count) as loan_count,
        cast(sum(balance_in_cny) as decimal(20, 2)) as balance_cny
    from converted
    group by all

),

final as (

    select * from aggregated

)

select * from final
