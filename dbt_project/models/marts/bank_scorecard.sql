with

indicators as (

    select * from {{ ref('int_scorecard_indicators_scored') }}

),

record as (

    select * from {{ ref('int_bank_submissions_summarised') }}

),

banks as (

    select * from {{ ref('banks') }}

),

grades as (

    select * from {{ ref('scorecard_grades') }}

),

policy as (

    select * from {{ ref('scorecard_policy') }}

),

pivoted as (

    select
        bank_code,
        period,
        peer_group,
        weights_version,
        max(case when indicator = 'growth_gap' then indicator_value end) as growth_gap,
        max(case when indicator = 'growth_gap' then score end) as growth_gap_score,
        max(case when indicator = 'mfg_loan_share' then indicator_value end) as mfg_loan_share,
        max(case when indicator = 'mfg_loan_share' then score end) as mfg_loan_share_score,
        max(case when indicator = 'mlt_share_change' then indicator_value end)
            as mfg_mlt_share_yoy_change,
        max(case when indicator = 'mlt_share_change' then score end) as mlt_share_change_score,
        max(case when indicator = 'credit_share_change' then indicator_value end)
            as mfg_credit_share_yoy_change,
        max(case when indicator = 'credit_share_change' then score end)
            as credit_share_change_score,
        max(case when indicator = 'data_quality' then indicator_value end)
            as data_quality_points_deducted,
        max(case when indicator = 'data_quality' then score end) as data_quality_score,
        -- contract §7: the weighted mean over the weight the bank can have; an indicator its
        -- own missing file left empty is in it, at 0.
        round(
            sum(case when not is_reweighted then weight * score end)
            / nullif(sum(case when not is_reweighted then weight end), 0),
            2
        ) as composite_score,
        coalesce(sum(case when not is_reweighted then weight end), 0) as available_weight,
        {{ ordered_list('case when is_reweighted then indicator end', ',', 'indicator') }}
            as reweighted_indicators,
        {{ ordered_list(
            "case when is_reweighted then concat(indicator, ': ', status) end",
            '; ',
            'indicator'
        ) }}
            as reweighting_reasons,
        {{ ordered_list(
            "case when status = 'own_file_missing' then indicator end",
            ',',
            'indicator'
        ) }}
            as zeroed_indicators
    from indicators
    group by bank_code, period, peer_group, weights_version

),

graded as (

    select
        pivoted.*,
        policy.coverage_floor,
        pivoted.available_weight >= policy.coverage_floor as is_graded
    from pivoted
    inner join policy
        on pivoted.weights_version = policy.weights_version

),

grade_floors as (

    select
        graded.bank_code,
        graded.period,
        max(grades.min_score) as grade_floor
    from graded
    inner join grades
        on graded.weights_version = grades.weights_version
            and graded.composite_score >= grades.min_score
    where graded.is_graded
    group by graded.bank_code, graded.period

),

ranked as (

    -- Only graded banks are ranked (未评级 banks are neither graded nor ranked).
    select
        graded.*,
        grades.grade,
        count(case when graded.is_graded then 1 end)
            over (partition by graded.period, graded.peer_group) as peer_group_size,
        case when graded.is_graded then
                rank() over (
                    partition by graded.period, graded.peer_group, graded.is_graded
                    order by graded.composite_score desc
                )
        end as rank_in_peer_group,
        case when graded.is_graded then
                rank() over (
                    partition by graded.period, graded.is_graded
                    order by graded.composite_score desc
                )
        end as rank_city,
        count(case when graded.is_graded then 1 end) over (partition by graded.period)
            as banks_ranked
    from graded
    left join grade_floors
        on graded.bank_code = grade_floors.bank_code
            and graded.period = grade_floors.period
    left join grades
        on graded.weights_version = grades.weights_version
            and grade_floors.grade_floor = grades.min_score

),

final as (

    select
        ranked.bank_code,
        banks.bank_name,
        banks.bank_type,
        ranked.peer_group,
        ranked.period,
        month(ranked.period) in (3, 6, 9, 12) as is_quarter_end,
        ranked.growth_gap,
        ranked.growth_gap_score,
        ranked.mfg_loan_share,
        ranked.mfg_loan_share_score,
        ranked.mfg_mlt_share_yoy_change,
        ranked.mlt_share_change_score,
        ranked.mfg_credit_share_yoy_change,
        ranked.credit_share_change_score,
        coalesce(record.rejected_files, 0) as rejected_files,
        coalesce(record.resubmissions, 0) as resubmissions,
        coalesce(record.late_files, 0) as late_files,
        coalesce(record.missing_files, 0) as missing_files,
        record.missing_kinds,
        ranked.data_quality_points_deducted,
        ranked.data_quality_score,
        ranked.composite_score,
        ranked.grade,
        ranked.is_graded,
        case
            when not ranked.is_graded
                then concat(
                        '未评级：可评价权重 ', {{ weight_text('ranked.available_weight') }}, ' 低于 ',
                        {{ weight_text('ranked.coverage_floor') }}, '（', ranked.reweighting_reasons,
                        '）/ not graded: only ', {{ weight_text('ranked.available_weight') }},
                        ' of 100 weight can be evaluated, below ',
                        {{ weight_text('ranked.coverage_floor') }},
                        ' (', ranked.reweighting_reasons, ')'
                    )
        end as not_graded_reason,
        ranked.available_weight,
        ranked.coverage_floor,
        ranked.reweighted_indicators is not null as is_reweighted,
        ranked.reweighted_indicators as missing_indicators,
        ranked.reweighting_reasons,
        ranked.zeroed_indicators,
        ranked.rank_in_peer_group,
        ranked.peer_group_size,
        ranked.rank_city,
        ranked.banks_ranked,
        ranked.weights_version
    from ranked
    inner join banks
        on ranked.bank_code = banks.bank_code
    left join record
        on ranked.bank_code = record.bank_code
            and ranked.period = record.period

)

select * from final
