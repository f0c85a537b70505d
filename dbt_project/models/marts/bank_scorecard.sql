with

indicators as (

    select * from {{ ref('int_scorecard_indicators_scored') }}

),

submissions as (

    select * from {{ ref('int_bank_submissions_summarised') }}

),

banks as (

    select * from {{ ref('banks') }}

),

grades as (

    select * from {{ ref('scorecard_grades') }}

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
        -- DESIGN §7: the composite is the weighted mean over the indicators the bank has
        sum(weight * score) / nullif(sum(case when score is not null then weight end), 0)
            as composite_score,
        sum(case when score is null then weight else 0 end) as missing_weight,
        {{ ordered_list('case when score is null then indicator end', ',', 'indicator') }}
            as missing_indicators
    from indicators
    group by bank_code, period, peer_group, weights_version

),

graded as (

    select
        pivoted.bank_code,
        pivoted.period,
        max(grades.min_score) as grade_floor
    from pivoted
    inner join grades
        on pivoted.weights_version = grades.weights_version
        and pivoted.composite_score >= grades.min_score
    group by pivoted.bank_code, pivoted.period

),

ranked as (

    select
        pivoted.*,
        grades.grade,
        count(pivoted.composite_score) over (partition by pivoted.period, pivoted.peer_group)
            as peer_group_size,
        case when pivoted.composite_score is not null then
            rank() over (
                partition by pivoted.period, pivoted.peer_group
                order by pivoted.composite_score desc nulls last
            )
        end as rank_in_peer_group,
        case when pivoted.composite_score is not null then
            rank() over (
                partition by pivoted.period
                order by pivoted.composite_score desc nulls last
            )
        end as rank_city,
        count(pivoted.composite_score) over (partition by pivoted.period) as banks_ranked
    from pivoted
    left join graded
        on pivoted.bank_code = graded.bank_code
        and pivoted.period = graded.period
    left join grades
        on pivoted.weights_version = grades.weights_version
        and graded.grade_floor = grades.min_score

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
        coalesce(submissions.rejected_files, 0) as rejected_files,
        coalesce(submissions.resubmissions, 0) as resubmissions,
        coalesce(submissions.late_files, 0) as late_files,
        ranked.data_quality_points_deducted,
        ranked.data_quality_score,
        ranked.composite_score,
        ranked.grade,
        ranked.missing_weight > 0 as is_reweighted,
        ranked.missing_indicators,
        ranked.rank_in_peer_group,
        ranked.peer_group_size,
        ranked.rank_city,
        ranked.banks_ranked,
        ranked.weights_version
    from ranked
    inner join banks
        on ranked.bank_code = banks.bank_code
    left join submissions
        on ranked.bank_code = submissions.bank_code
        and ranked.period = submissions.period

)

select * from final
