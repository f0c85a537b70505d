{{ config(materialized='table') }}

with

metrics as (

    select * from {{ ref('int_loan_metrics_computed') }}

),

banks as (

    select * from {{ ref('banks') }}

),

weights as (

    select * from {{ ref('scorecard_weights') }}

),

penalties as (

    select * from {{ ref('scorecard_quality_penalties') }}

),

submissions as (

    select * from {{ ref('int_bank_submissions_summarised') }}

),

bank_months as (

    select
        metrics.scope_code as bank_code,
        metrics.period,
        banks.peer_group,
        metrics.growth_gap,
        metrics.mfg_loan_share,
        metrics.mfg_mlt_share_yoy_change,
        metrics.mfg_credit_share_yoy_change
    from metrics
    inner join banks
        on metrics.scope_code = banks.bank_code
    where metrics.scope = 'bank'

),

version_ranges as (

    select distinct weights_version, valid_from, valid_to
    from weights

),

versioned as (

    -- the newest version in force at the month-end, should validity ranges ever overlap
    select
        bank_months.*,
        version_ranges.weights_version,
        row_number() over (
            partition by bank_months.bank_code, bank_months.period
            order by version_ranges.valid_from desc
        ) as version_recency
    from bank_months
    inner join version_ranges
        on bank_months.period >= version_ranges.valid_from
        and (version_ranges.valid_to is null or bank_months.period <= version_ranges.valid_to)

),

quality_deductions as (

    select
        versioned.bank_code,
        versioned.period,
        coalesce(submissions.rejected_files, 0) as rejected_files,
        coalesce(submissions.resubmissions, 0) as resubmissions,
        coalesce(submissions.late_files, 0) as late_files,
        coalesce(submissions.rejected_files, 0) * max(case when penalties.event = 'rejected_file' then penalties.points end)
        + coalesce(submissions.resubmissions, 0) * max(case when penalties.event = 'resubmission' then penalties.points end)
        + coalesce(submissions.late_files, 0) * max(case when penalties.event = 'late_file' then penalties.points end)
            as points_deducted
    from versioned
    left join submissions
        on versioned.bank_code = submissions.bank_code
        and versioned.period = submissions.period
    left join penalties
        on versioned.weights_version = penalties.weights_version
    where versioned.version_recency = 1
    group by
        versioned.bank_code,
        versioned.period,
        submissions.rejected_files,
        submissions.resubmissions,
        submissions.late_files

),

indicator_values as (

    select
        versioned.bank_code,
        versioned.period,
        versioned.peer_group,
        versioned.weights_version,
        weights.indicator,
        weights.weight,
        weights.method,
        weights.base_score,
        weights.points_per_pp,
        case weights.source_metric
            when 'growth_gap' then versioned.growth_gap
            when 'mfg_loan_share' then versioned.mfg_loan_share
            when 'mfg_mlt_share_yoy_change' then versioned.mfg_mlt_share_yoy_change
            when 'mfg_credit_share_yoy_change' then versioned.mfg_credit_share_yoy_change
        end as metric_value,
        quality_deductions.points_deducted
    from versioned
    inner join weights
        on versioned.weights_version = weights.weights_version
    inner join quality_deductions
        on versioned.bank_code = quality_deductions.bank_code
        and versioned.period = quality_deductions.period
    where versioned.version_recency = 1

),

peer_ranked as (

    -- a percentile needs somebody to be ranked against: groups with one valued bank score NULL
    select
        bank_code,
        period,
        indicator,
        case
            when count(*) over (partition by period, peer_group, indicator) >= 2
                then 100 * percent_rank() over (
                    partition by period, peer_group, indicator
                    order by metric_value
                )
        end as percentile
    from indicator_values
    where method = 'peer_percentile'
        and metric_value is not null

),

scored as (

    select
        indicator_values.bank_code,
        indicator_values.period,
        indicator_values.peer_group,
        indicator_values.weights_version,
        indicator_values.indicator,
        indicator_values.weight,
        case
            when indicator_values.method = 'data_quality' then indicator_values.points_deducted
            else indicator_values.metric_value
        end as indicator_value,
        -- greatest() and least() skip NULLs, so a missing metric is caught before them
        case
            when indicator_values.method <> 'data_quality'
                and indicator_values.metric_value is null then null
            when indicator_values.method = 'linear' then least(100.0, greatest(0.0,
                indicator_values.base_score
                + indicator_values.points_per_pp * 100 * indicator_values.metric_value
            ))
            when indicator_values.method = 'peer_percentile' then peer_ranked.percentile
            when indicator_values.method = 'data_quality' then greatest(0.0,
                indicator_values.base_score - indicator_values.points_deducted
            )
        end as score
    from indicator_values
    left join peer_ranked
        on indicator_values.bank_code = peer_ranked.bank_code
        and indicator_values.period = peer_ranked.period
        and indicator_values.indicator = peer_ranked.indicator

),

final as (

    select
        bank_code,
        period,
        peer_group,
        weights_version,
        indicator,
        weight,
        cast(indicator_value as double) as indicator_value,
        cast(score as double) as score
    from scored

)

select * from final
