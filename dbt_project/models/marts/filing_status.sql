with

filings as (

    select * from {{ ref('int_filings_tracked') }}

),

banks as (

    select * from {{ ref('banks') }}

),

obligations as (

    select distinct kind, kind_name from {{ ref('filing_obligations') }}

),

final as (

    select
        filings.bank_code,
        banks.bank_name,
        filings.kind,
        obligations.kind_name,
        filings.period,
        filings.is_expected,
        filings.due_date,
        filings.files_received,
        filings.files_rejected,
        filings.first_received_at,
        filings.latest_received_at,
        filings.first_accepted_at,
        filings.accepted_submission_id,
        filings.is_accepted,
        filings.is_late,
        filings.is_missing,
        filings.filing_state,
        filings.as_of
    from filings
    left join banks
        on filings.bank_code = banks.bank_code
    left join obligations
        on filings.kind = obligations.kind

)

select * from final
