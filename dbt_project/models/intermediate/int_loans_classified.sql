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

converted as (

    select
        loans.*,
        -- 本外币合计: foreign currency at the period-end rate unless the bank gave CNY itself.
        case
            when loans.balance_cny is not null then loans.balance_cny
            when loans.currency = 'CNY' then loans.balance
            else cast(round(loans.balance * fx_rates.rate_to_cny, 2) as decimal(18, 2))
        end as balance_in_cny
    from loans
    left join fx_rates
        on loans.currency = fx_rates.currency
        and loans.period = fx_rates.period

),

classified as (

    select
        converted.*,
        coalesce(divisions.is_manufacturing, false) as is_manufacturing,
        -- 中长期 is an original term over one calendar year: exactly one year is short-term.
        converted.maturity_date > {{ add_years('converted.issue_date', 1) }}
            as is_medium_long_term,
        -- 信用贷款 is guarantee type D only; combined (E) is not credit.
        converted.guarantee_type = 'D' as is_credit
    from converted
    left join divisions
        on converted.industry_division = divisions.division_code

),

final as (

    select
        submission_id,
        bank_code,
        period,
        loan_id,
        borrower_uscc,
        industry_division,
        issue_date,
        maturity_date,
        guarantee_type,
        currency,
        balance,
        balance_in_cny,
        is_manufacturing,
        is_medium_long_term,
        is_credit
    from classified

)

select * from final
