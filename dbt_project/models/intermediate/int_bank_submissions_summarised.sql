with

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

finding_counts as (

    select * from {{ ref('stg_audit__finding_counts') }}

),

late_files as (

    -- LN-W-034 / LT-W-034: the file reached the inbox after the due day of the next month
    select distinct submission_id
    from finding_counts
    where rule_id in ('LN-W-034', 'LT-W-034')

),

bank_files as (

    select
        submissions.reporter as bank_code,
        submissions.period,
        submissions.kind,
        submissions.status,
        submissions.status in ('accepted', 'superseded') as was_accepted,
        late_files.submission_id is not null as was_late
    from submissions
    left join late_files
        on submissions.submission_id = late_files.submission_id
    -- a duplicate is the same bytes again: not a new submission
    where submissions.kind in ('loans', 'loan_totals')
        and submissions.status <> 'duplicate'
        and submissions.reporter is not null
        and submissions.period is not null

),

per_kind as (

    select
        bank_code,
        period,
        kind,
        count(*) as files,
        sum(case when status = 'rejected' then 1 else 0 end) as rejected_files,
        greatest(sum(case when was_accepted then 1 else 0 end) - 1, 0) as resubmissions,
        sum(case when was_accepted and was_late then 1 else 0 end) as late_files
    from bank_files
    group by bank_code, period, kind

),

final as (

    select
        bank_code,
        period,
        cast(sum(files) as bigint) as files,
        cast(sum(rejected_files) as bigint) as rejected_files,
        cast(sum(resubmissions) as bigint) as resubmissions,
        cast(sum(late_files) as bigint) as late_files
    from per_kind
    group by bank_code, period

)

select * from final
