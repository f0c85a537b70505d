{{ config(materialized='table') }}

with

banks as (

    select * from {{ ref('banks') }}

),

obligations as (

    select * from {{ ref('filing_obligations') }}

),

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

bank_files as (

    -- A duplicate is the same bytes again, not a new receipt.
    select *
    from submissions
    where kind in (select kind from obligations)
        and status <> 'duplicate'
        and reporter is not null
        and period is not null

),

horizon as (

    -- Filings are tracked up to the latest month anyone filed, or the latest month whose
    -- due day has passed, whichever is later: a month nobody filed for still shows who
    -- owed it.
    select greatest(
        coalesce((select max(period) from bank_files), cast('1900-01-31' as date)),
        case
            when day({{ warehouse_today() }}) > (select max(due_day) from obligations)
                then {{ month_end_before(warehouse_today(), 1) }}
            else {{ month_end_before(warehouse_today(), 2) }}
        end
    ) as last_period

),

months as (

    {{ month_end_series(
        "(select min(active_from) from " ~ ref('banks') ~ ")",
        "(select last_period from horizon)"
    ) }}

),

expected as (

    -- 应报: every month of a bank's registered activity, each kind in force that month.
    select
        banks.bank_code,
        obligations.kind,
        months.period,
        obligations.due_day
    from banks
    inner join months
        on months.period >= banks.active_from
            and (banks.active_to is null or months.period <= banks.active_to)
    inner join obligations
        on months.period >= obligations.valid_from
            and (obligations.valid_to is null or months.period <= obligations.valid_to)

),

received as (

    select
        reporter as bank_code,
        kind,
        period,
        count(*) as files_received,
        sum(case when status = 'rejected' then 1 else 0 end) as files_rejected,
        min(received_at) as first_received_at,
        max(received_at) as latest_received_at,
        min(case when was_accepted then received_at end) as first_accepted_at,
        max(case when is_current then submission_id end) as accepted_submission_id
    from bank_files
    group by reporter, kind, period

),

tracked as (

    select
        coalesce(expected.bank_code, received.bank_code) as bank_code,
        coalesce(expected.kind, received.kind) as kind,
        coalesce(expected.period, received.period) as period,
        expected.bank_code is not null as is_expected,
        {{ due_date(
            'coalesce(expected.period, received.period)',
            'coalesce(expected.due_day, (select max(due_day) from obligations))'
        ) }} as due_date,
        coalesce(received.files_received, 0) as files_received,
        coalesce(received.files_rejected, 0) as files_rejected,
        received.first_received_at,
        received.latest_received_at,
        received.first_accepted_at,
        received.accepted_submission_id
    from expected
    full outer join received
        on expected.bank_code = received.bank_code
            and expected.kind = received.kind
            and expected.period = received.period

),

final as (

    select
        bank_code,
        kind,
        period,
        is_expected,
        due_date,
        files_received,
        files_rejected,
        first_received_at,
        latest_received_at,
        first_accepted_at,
        accepted_submission_id,
        accepted_submission_id is not null as is_accepted,
        -- Late: the data that was accepted arrived after the due day (Beijing days, the
        -- warehouse's clock), however early a rejected attempt came.
        coalesce({{ beijing_date('first_accepted_at') }} > due_date, false) as is_late,
        -- Missing: owed, past due, and nothing accepted.
        is_expected
        and accepted_submission_id is null
        and {{ warehouse_today() }} > due_date as is_missing,
        case
            when accepted_submission_id is not null
                and {{ beijing_date('first_accepted_at') }} > due_date then 'late'
            when accepted_submission_id is not null then 'on_time'
            when {{ warehouse_today() }} <= due_date then 'not_yet_due'
            when files_rejected > 0 then 'rejected'
            else 'missing'
        end as filing_state,
        {{ warehouse_today() }} as as_of
    from tracked

)

select * from final
