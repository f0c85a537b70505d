{{ config(materialized='table') }}

with

loan_aggregates as (

    select * from {{ ref('int_bank_loans_aggregated') }}

),

loan_totals as (

    select * from {{ ref('stg_raw__loan_totals') }}

),

targets as (

    select * from {{ ref('plan_targets') }}

),

bank_periods as (

    select bank_code, period from loan_aggregates
    union
    select bank_code, period from loan_totals

),

balances as (

    -- One row per bank and month with any accepted file; which of the two files it has
    -- decides which figures exist (contract §4: a metric whose inputs are missing is NULL).
    select
        bank_periods.bank_code,
        bank_periods.period,
        loan_aggregates.bank_code is not null as has_loans,
        loan_totals.bank_code is not null as has_totals,
        loan_totals.total_loans,
        loan_aggregates.mfg_loans,
        loan_aggregates.mfg_mlt_loans,
        loan_aggregates.mfg_credit_loans,
        loan_aggregates.mfg_new_loans
    from bank_periods
    left join loan_aggregates
        on bank_periods.bank_code = loan_aggregates.bank_code
            and bank_periods.period = loan_aggregates.period
    left join loan_totals
        on bank_periods.bank_code = loan_totals.bank_code
            and bank_periods.period = loan_totals.period

),

baseline as (

    -- 年均增速 counts from the month-end before the plan's first year (2023-12).
    select make_date(min(first_year) - 1, 12, 31) as period from targets

),

final as (

    -- Each month beside the months it is compared with: a year earlier (同比), last
    -- December (比年初), the December before that (同比多增) and the plan's baseline (年均).
    select
        current_month.*,
        coalesce(year_before.has_loans, false) as has_loans_year_before,
        coalesce(year_before.has_totals, false) as has_totals_year_before,
        year_before.total_loans as total_loans_year_before,
        year_before.mfg_loans as mfg_loans_year_before,
        year_before.mfg_mlt_loans as mfg_mlt_loans_year_before,
        year_before.mfg_credit_loans as mfg_credit_loans_year_before,
        coalesce(last_december.has_loans, false) as has_loans_last_december,
        last_december.mfg_loans as mfg_loans_last_december,
        coalesce(december_before.has_loans, false) as has_loans_december_before,
        december_before.mfg_loans as mfg_loans_december_before,
        baseline.period as baseline_period,
        coalesce(at_baseline.has_loans, false) as has_loans_at_baseline,
        coalesce(at_baseline.has_totals, false) as has_totals_at_baseline,
        at_baseline.total_loans as total_loans_at_baseline,
        at_baseline.mfg_loans as mfg_loans_at_baseline,
        {{ months_between_ends('baseline.period', 'current_month.period') }}
            as months_since_baseline
    from balances as current_month
    cross join baseline
    left join balances as year_before
        on current_month.bank_code = year_before.bank_code
            and year_before.period = {{ month_end_before('current_month.period', 12) }}
    left join balances as last_december
        on current_month.bank_code = last_december.bank_code
            and last_december.period = {{ previous_year_end('current_month.period') }}
    left join balances as december_before
        on current_month.bank_code = december_before.bank_code
            and december_before.period
            = {{ previous_year_end(month_end_before('current_month.period', 12)) }}
    left join balances as at_baseline
        on current_month.bank_code = at_baseline.bank_code
            and at_baseline.period = baseline.period

)

select * from final
