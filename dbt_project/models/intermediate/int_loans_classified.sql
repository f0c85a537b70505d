with

loans as (

    select * from {{ ref('stg_raw__loans') }}

),

divisions as (

    select * from {{ ref('gbt4754_divisions') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

classified as (

    select
        loans.*,
        -- A semi-join on the 97-row seed: DuckDB builds on the small side whatever it
        -- guesses of the loan count.
        loans.industry_division in (
            select division_code from divisions
            where is_manufacturing
        ) as is_manufacturing,
        -- 中长期 is an original term over one calendar year: exactly one year is short-term.
        loans.maturity_date > {{ add_years('loans.issue_date', 1) }} as is_medium_long_term,
        -- 信用贷款 is guarantee type D only; combined (E) is not credit.
        loans.guarantee_type = 'D' as is_credit,
        -- 投放 proxy: issued within the report month.
        loans.issue_date > {{ month_end_before('loans.period', 1) }} as is_issued_in_month,
        -- 本外币合计: the bank's own CNY figure where given, else the period-end rate.
        coalesce(
            loans.balance_cny,
            {{ to_cny('loans.balance', 'loans.currency', 'fx_rates.rate_to_cny') }}
        ) as balance_in_cny
    from loans
    left join fx_rates
        on loans.currency = fx_rates.currency
            and loans.period = fx_rates.period

),

final as (

    select
        submission_id,
        bank_code,
        period,
        loan_id,
        borrower_uscc,
        industry_code,
        industry_division,
        product,
        issue_date,
        maturity_date,
        guarantee_type,
        currency,
        balance,
        balance_cny,
        balance_in_cny,
        is_manufacturing,
        is_medium_long_term,
        is_credit,
        is_issued_in_month
    from classified

)

select * from final
