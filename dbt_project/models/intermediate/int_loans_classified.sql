with

loans as (

    select * from {{ ref('stg_raw__loans') }}

),

divisions as (

    select * from {{ ref('gbt4754_divisions') }}

),

classified as (

    select
        loans.*,
        -- A semi-join on the 97-row seed: DuckDB builds on the small side whatever it
        -- guesses of the loan count.
        loans.industry_division in (
            select division_code from divisions where is_manufacturing
        ) as is_manufacturing,
        -- 中长期 is an original term over one calendar year: exactly one year is short-term.
        loans.maturity_date > {{ add_years('loans.issue_date', 1) }} as is_medium_long_term,
        -- 信用贷款 is guarantee type D only; combined (E) is not credit.
        loans.guarantee_type = 'D' as is_credit
    from loans

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
        issue_date,
        maturity_date,
        guarantee_type,
        currency,
        balance,
        balance_cny,
        is_manufacturing,
        is_medium_long_term,
        is_credit
    from classified

)

select * from final
