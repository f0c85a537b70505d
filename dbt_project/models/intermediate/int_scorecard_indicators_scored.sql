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

record as (

    select * from {{ ref('int_bank_submissions_summarised') }}

),

bank_metrics as (

    select * from metrics
    where scope = 'bank'

),

first_filed as (

    select bank_code, min(period) as first_period from record
    where files > 0
    group by bank_code

),

bank_months as (

    -- Every registered bank for every month it owed files or sent any: a bank that sent
    -- nothing is scored, not left out.
    select bank_code, period from record
    union
    select scope_code, period from bank_metrics

),

spine as (

    select
        bank_months.bank_code,
        bank_months.period,
        banks.peer_group,
        -- A bank outside the registry's active months is taken as active from its first file.
        coalesce(banks.active_from, first_filed.first_period) as active_from,
        bank_metrics.growth_gap,
        bank_metrics.mfg_loan_share,
        bank_metrics.mfg_mlt_share_yoy_change,
        bank_metrics.mfg_credit_share_yoy_change,
        coalesce(bank_metrics.has_loans, false) as has_loans,
        coalesce(bank_metrics.has_totals, false) as has_totals,
        coalesce(bank_metrics.has_loans_year_before, false) as has_loans_year_before,
        coalesce(bank_metrics.has_totals_year_before, false) as has_totals_year_before
    from bank_months
    inner join banks
        on bank_months.bank_code = banks.bank_code
    left join first_filed
        on bank_months.bank_code = first_filed.bank_code
    left join bank_metrics
        on bank_months.bank_code = bank_metrics.scope_code
            and bank_months.period = bank_metrics.period

),

version_ranges as (

    select distinct weights_version, valid_from, valid_to
    from weights

),

versioned as (

    -- the newest version in force at the month-end, should validity ranges ever overlap
    select
        spine.*,
        version_ranges.weights_version,
        row_number() over (
            partition by spine.bank_code, spine.period
            order by version_ranges.valid_from desc
        ) as version_recency
    from spine
    inner join version_ranges
        on spine.period >= version_ranges.valid_from
            and (version_ranges.valid_to is null or spine.period <= version_ranges.valid_to)

),

quality_deductions as (

    select
        versioned.bank_code,
        versioned.period,
        coalesce(record.rejected_files, 0)
        * max(case when penalties.event = 'rejected_file' then penalties.points end)
        + coalesce(record.resubmissions, 0)
        * max(case when penalties.event = 'resubmission' then penalties.points end)
        + coalesce(record.late_files, 0)
        * max(case when penalties.event = 'late_file' then penalties.points end)
        + coalesce(record.missing_files, 0)
        * coalesce(max(case when penalties.event = 'missing_file' then penalties.points end), 0)
            as points_deducted
    from versioned
    left join record
        on versioned.bank_code = record.bank_code
            and versioned.period = record.period
    left join penalties
        on versioned.weights_version = penalties.weights_version
    where versioned.version_recency = 1
    group by
        versioned.bank_code,
        versioned.period,
        record.rejected_files,
        record.resubmissions,
        record.late_files,
        record.missing_files

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
        -- The bank's own files the indicator is computed from: the loans file always, the
        -- totals for the growth gap and the share, both ends for year-on-year indicators.
        case
            when weights.method = 'data_quality' then true
            else versioned.has_loans
                and (
                    versioned.has_totals
                    or weights.source_metric not in ('growth_gap', 'mfg_loan_share')
                )
                and (weights.source_metric = 'mfg_loan_share' or (
                    versioned.has_loans_year_before
                    and (
                        versioned.has_totals_year_before
                        or weights.source_metric <> 'growth_gap'
                    )
                ))
        end as own_files_present,
        weights.source_metric in (
            'growth_gap', 'mfg_mlt_share_yoy_change', 'mfg_credit_share_yoy_change'
        ) and versioned.active_from > {{ month_end_before('versioned.period', 12) }}
            as before_bank_was_active,
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

    -- a percentile needs somebody to be ranked against: a group with one valued bank has none
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

judged as (

    -- contract §7: what the bank cannot have through no act of its own is re-weighted; what
    -- is missing because its own file is missing or rejected scores 0.
    select
        indicator_values.*,
        peer_ranked.percentile,
        case
            when indicator_values.method = 'data_quality' then 'scored'
            when indicator_values.method = 'peer_percentile'
                and indicator_values.metric_value is not null
                and peer_ranked.percentile is null then 'alone_in_peer_group'
            when indicator_values.metric_value is not null then 'scored'
            when indicator_values.before_bank_was_active then 'not_active_a_year_before'
            when indicator_values.own_files_present then 'no_mfg_loans'
            else 'own_file_missing'
        end as status
    from indicator_values
    left join peer_ranked
        on indicator_values.bank_code = peer_ranked.bank_code
            and indicator_values.period = peer_ranked.period
            and indicator_values.indicator = peer_ranked.indicator

),

scored as (

    select
        bank_code,
        period,
        peer_group,
        weights_version,
        indicator,
        weight,
        status,
        status in ('alone_in_peer_group', 'not_active_a_year_before', 'no_mfg_loans')
            as is_reweighted,
        case
            when method = 'data_quality' then points_deducted
            else metric_value
        end as indicator_value,
        -- greatest() and least() skip NULLs, so a missing metric is caught before them
        case
            when status = 'own_file_missing' then 0.0
            when status <> 'scored' then null
            when method = 'linear'
                then least(100.0, greatest(
                        0.0,
                        base_score + points_per_pp * 100 * metric_value
                    ))
            when method = 'peer_percentile' then percentile
            when method = 'data_quality' then greatest(0.0, base_score - points_deducted)
        end as score
    from judged

),

final as (

    select
        bank_code,
        period,
        peer_group,
        weights_version,
        indicator,
        weight,
        status,
        is_reweighted,
        cast(indicator_value as double) as indicator_value,
        cast(score as double) as score
    from scored

)

select * from final
