with

loans as (

    select * from {{ source('raw', 'loans') }}

),

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

current_loans as (

    -- Latest accepted submission per bank × period wins; superseded files stay in raw.
    select loans.*
    from loans
    inner join submissions
        on loans.submission_id = submissions.submission_id
    where submissions.is_current

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
