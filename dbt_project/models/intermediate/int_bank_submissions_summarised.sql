with

filings as (

    select * from {{ ref('int_filings_tracked') }}

),

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

resubmitted as (

    -- Each accepted file after the first of its kind and month is a resubmission; a
    -- duplicate is the same bytes again, not a new submission.
    select
        reporter as bank_code,
        period,
        kind,
        greatest(sum(case when was_accepted then 1 else 0 end) - 1, 0) as resubmissions
    from submissions
    where kind in (select distinct kind from filings)
        and status <> 'duplicate'
    group by reporter, period, kind

),

final as (

    -- The bank's own submission record for the month, on the warehouse's clock: files
    -- rejected, resubmitted, accepted after the due day, and owed but not there.
    select
        filings.bank_code,
        filings.period,
        cast(sum(filings.files_received) as bigint) as files,
        cast(sum(filings.files_rejected) as bigint) as rejected_files,
        cast(sum(coalesce(resubmitted.resubmissions, 0)) as bigint) as resubmissions,
        cast(sum(case when filings.is_late then 1 else 0 end) as bigint) as late_files,
        cast(sum(case when filings.is_missing then 1 else 0 end) as bigint) as missing_files,
        {{ ordered_list(
            "case when filings.is_missing then filings.kind end",
            ',',
            'filings.kind'
        ) }}
            as missing_kinds
    from filings
    left join resubmitted
        on filings.bank_code = resubmitted.bank_code
            and filings.period = resubmitted.period
            and filings.kind = resubmitted.kind
    group by filings.bank_code, filings.period

)

select * from final
