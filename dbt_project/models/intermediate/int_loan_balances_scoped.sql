with

loan_aggregates as (

    select * from {{ ref('int_bank_loans_aggregated') }}

),

loan_totals as (

    select * from {{ ref('stg_raw__loan_totals') }}

),

bank_periods as (

    select bank_code, period from loan_aggregates
    union
    select bank_code, period from loan_totals

),

bank_balances as (

    select
        'bank' as scope,
        bank_periods.bank_code as scope_code,
        bank_periods.period,
        loan_totals.total_loans,
        loan_aggregates.mfg_loans,
        loan_aggregates.mfg_mlt_loans,
        loan_aggregates.mfg_credit_loans
    from bank_periods
    left join loan_aggregates
        on bank_periods.bank_code = loan_aggregates.bank_code
        and bank_periods.period = loan_aggregates.period
    left join loan_totals
        on bank_periods.bank_code = loan_totals.bank_code
        and bank_periods.period = loan_totals.period

),

city_balances as (

    -- City figures sum balances first, then divide; only banks with both their loan-level
    -- file and their totals for the month count, so numerators and denominators match.
    select
        'city' as scope,
        '500000' as scope_code,
        period,
        cast(sum(total_loans) as decimal(20, 2)) as total_loans,
        cast(sum(mfg_loans) as decimal(20, 2)) as mfg_loans,
        cast(sum(mfg_mlt_loans) as decimal(20, 2)) as mfg_mlt_loans,
        cast(sum(mfg_credit_loans) as decimal(20, 2)) as mfg_credit_loans
    from bank_balances
    where total_loans is not null and mfg_loans is not null
    group by period

),

final as (

    select * from bank_balances
    union all
    select * from city_balances

)

select * from final
