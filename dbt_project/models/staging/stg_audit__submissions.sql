with

submissions as (

    select * from {{ source('audit', 'submissions') }}

),

ranked as (

    select
        *,
        status in ('accepted', 'superseded') as was_accepted,
        row_number() over (
            partition by kind, reporter, period, status in ('accepted', 'superseded')
            order by submission_id desc
        ) as recency
    from submissions

),

final as (

    select
        submission_id,
        file_name,
        sha256,
        kind,
        reporter,
        period,
        received_at,
        status,
        row_count,
        error_count,
        warning_count,
        ruleset_version,
        was_accepted,
        was_accepted and recency = 1 as is_current
    from ranked

)

select * from final
