with

loan_totals as (

    select * from {{ source('raw', 'loan_totals') }}

),

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

current_totals as (

    select loan_totals.*
    from loan_totals
    inner join submissions
        on loan_totals.submission_id = submissions.submission_id
    where submissions.is_current

),

final as (

    select
        submission_id,
        bank_code,
        report_period as period,
        total_loans,
        total_mlt_loans,
        total_credit_loans,
        corporate_loans,
        mfg_loans_reported
    from current_totals

)

select * from final
