with

frozen as (

    select * from {{ ref('evaluation_results') }}

),

live as (

    select * from {{ ref('bank_scorecard') }}

),

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

changed as (

    select
        frozen.bank_code,
        frozen.bank_name,
        frozen.period,
        frozen.frozen_at,
        frozen.composite_score as frozen_composite_score,
        live.composite_score as live_composite_score,
        frozen.grade as frozen_grade,
        live.grade as live_grade,
        frozen.rank_in_peer_group as frozen_rank_in_peer_group,
        live.rank_in_peer_group as live_rank_in_peer_group,
        frozen.rank_city as frozen_rank_city,
        live.rank_city as live_rank_city,
        frozen.is_graded as frozen_is_graded,
        live.is_graded as live_is_graded
    from frozen
    left join live
        on frozen.bank_code = live.bank_code
            and frozen.period = live.period
    where frozen.composite_score is distinct from live.composite_score
        or frozen.grade is distinct from live.grade
        or frozen.rank_in_peer_group is distinct from live.rank_in_peer_group
        or frozen.rank_city is distinct from live.rank_city
        or frozen.is_graded is distinct from live.is_graded

),

later_files as (

    -- Loans and totals files received after the freeze for the quarter-end or the
    -- month-end a year before: what can have moved a frozen row.
    select
        changed.bank_code,
        changed.period,
        submissions.reporter = changed.bank_code as is_own,
        submissions.submission_id
    from changed
    inner join submissions
        on submissions.kind in ('loans', 'loan_totals')
            and submissions.status <> 'duplicate'
            and submissions.received_at > changed.frozen_at
            and submissions.period in (changed.period, {{ month_end_before('changed.period', 12) }})

),

causes as (

    -- The bank's own later files where it sent any; otherwise other banks' (a new peer,
    -- a peer's correction moves ranks and percentiles).
    select
        bank_code,
        period,
        max(case when is_own then 1 else 0 end) = 1 as caused_by_own_filing,
        case
            when max(case when is_own then 1 else 0 end) = 1
                then {{ ordered_list(
                    'case when is_own then cast(submission_id as varchar) end',
                    ',',
                    'submission_id'
                ) }}
            else {{ ordered_list('cast(submission_id as varchar)', ',', 'submission_id') }}
        end as caused_by_submissions
    from later_files
    group by bank_code, period

),

final as (

    select
        changed.*,
        coalesce(causes.caused_by_own_filing, false) as caused_by_own_filing,
        causes.caused_by_submissions
    from changed
    left join causes
        on changed.bank_code = causes.bank_code
            and changed.period = causes.period

)

select * from final
