with

loan_totals as (

    select * from {{ source('raw', 'loan_totals') }}

),

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

current_totals as (

    -- Latest accepted submission per bank × period wins; superseded files stay in raw. A
    -- semi-join, so DuckDB builds on the ledger's side however many rows the store holds.
    select *
    from loan_totals
    where submission_id in (
            select submission_id from submissions
            where is_current
        )

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
