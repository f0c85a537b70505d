with

loans as (

    select * from {{ source('raw', 'loans') }}

),

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

current_loans as (

    -- Latest accepted submission per bank × period wins; superseded files stay in raw. A
    -- semi-join, so DuckDB builds on the ledger's side however many rows the store holds.
    select *
    from loans
    where submission_id in (
            select submission_id from submissions
            where is_current
        )

),

final as (

    select
        submission_id,
        row_number,
        bank_code,
        report_period as period,
        loan_id,
        borrower_uscc,
        borrower_name,
        industry_code,
        industry_division,
        enterprise_scale,
        product,
        issue_date,
        maturity_date,
        guarantee_type,
        guarantee_code,
        currency,
        balance,
        balance_cny,
        interest_rate,
        five_class
    from current_loans

)

select * from final
