{{ config(materialized='table') }}

with

balances as (

    select * from {{ ref('int_bank_balances_compared') }}

),

bank_metrics as (

    -- A bank's figure needs only its own files at each end it compares.
    select
        'bank' as scope,
        bank_code as scope_code,
        period,
        total_loans,
        mfg_loans,
        mfg_mlt_loans,
        mfg_credit_loans,
        mfg_new_loans,
        {{ safe_ratio('mfg_loans', 'total_loans') }} as mfg_loan_share,
        {{ safe_ratio('mfg_mlt_loans', 'mfg_loans') }} as mfg_mlt_share,
        {{ safe_ratio('mfg_credit_loans', 'mfg_loans') }} as mfg_credit_share,
        {{ safe_ratio('mfg_loans', 'mfg_loans_year_before') }} - 1 as mfg_loans_yoy_growth,
        {{ safe_ratio('total_loans', 'total_loans_year_before') }} - 1 as total_loans_yoy_growth,
        {{ safe_ratio('mfg_mlt_loans', 'mfg_mlt_loans_year_before') }} - 1
            as mfg_mlt_loans_yoy_growth,
        {{ safe_ratio('mfg_credit_loans', 'mfg_credit_loans_year_before') }} - 1
            as mfg_credit_loans_yoy_growth,
        mfg_loans - mfg_loans_last_december as mfg_loans_ytd_increment,
        (mfg_loans - mfg_loans_last_december)
        - (mfg_loans_year_before - mfg_loans_december_before)
            as mfg_loans_ytd_increment_yoy_change,
        {{ safe_ratio('mfg_mlt_loans', 'mfg_loans') }}
        - {{ safe_ratio('mfg_mlt_loans_year_before', 'mfg_loans_year_before') }}
            as mfg_mlt_share_yoy_change,
        {{ safe_ratio('mfg_credit_loans', 'mfg_loans') }}
        - {{ safe_ratio('mfg_credit_loans_year_before', 'mfg_loans_year_before') }}
            as mfg_credit_share_yoy_change,
        {{ average_growth('mfg_loans', 'mfg_loans_at_baseline', 'months_since_baseline') }}
            as mfg_loans_avg_annual_growth,
        {{ average_growth('total_loans', 'total_loans_at_baseline', 'months_since_baseline') }}
            as total_loans_avg_annual_growth,
        cast(null as bigint) as banks_reporting,
        cast(null as bigint) as banks_with_totals,
        cast(null as bigint) as banks_in_share,
        cast(null as bigint) as banks_in_yoy,
        cast(null as bigint) as banks_in_ytd,
        cast(null as bigint) as banks_in_avg_growth,
        has_loans,
        has_totals,
        has_loans_year_before,
        has_totals_year_before,
        mfg_loans_year_before
    from balances

),

city_sets as (

    -- 可比口径 (contract §4): which comparisons each bank-month can take part in.
    select
        *,
        has_loans and has_totals as in_share,
        has_loans and has_totals and has_loans_year_before and has_totals_year_before
            as in_yoy,
        has_loans and has_loans_last_december as in_ytd,
        has_loans and has_loans_last_december and has_loans_year_before
        and has_loans_december_before as in_ytd_yoy,
        has_loans and has_totals and has_loans_at_baseline and has_totals_at_baseline
            as in_avg_growth
    from balances

),

city_sums as (

    select
        period,
        max(months_since_baseline) as months_since_baseline,
        -- Balances: every bank whose file for the figure was accepted.
        {{ sum_over('has_totals', 'total_loans') }} as total_loans,
        {{ sum_over('has_loans', 'mfg_loans') }} as mfg_loans,
        {{ sum_over('has_loans', 'mfg_mlt_loans') }} as mfg_mlt_loans,
        {{ sum_over('has_loans', 'mfg_credit_loans') }} as mfg_credit_loans,
        {{ sum_over('has_loans', 'mfg_new_loans') }} as mfg_new_loans,
        -- Shares: banks with both files this month.
        {{ sum_over('in_share', 'total_loans') }} as share_total,
        {{ sum_over('in_share', 'mfg_loans') }} as share_mfg,
        {{ sum_over('in_share', 'mfg_mlt_loans') }} as share_mlt,
        {{ sum_over('in_share', 'mfg_credit_loans') }} as share_credit,
        -- 同比 and share changes: the same banks, with both files, at both ends.
        {{ sum_over('in_yoy', 'total_loans') }} as yoy_total,
        {{ sum_over('in_yoy', 'total_loans_year_before') }} as yoy_total_before,
        {{ sum_over('in_yoy', 'mfg_loans') }} as yoy_mfg,
        {{ sum_over('in_yoy', 'mfg_loans_year_before') }} as yoy_mfg_before,
        {{ sum_over('in_yoy', 'mfg_mlt_loans') }} as yoy_mlt,
        {{ sum_over('in_yoy', 'mfg_mlt_loans_year_before') }} as yoy_mlt_before,
        {{ sum_over('in_yoy', 'mfg_credit_loans') }} as yoy_credit,
        {{ sum_over('in_yoy', 'mfg_credit_loans_year_before') }} as yoy_credit_before,
        -- 比年初 and 同比多增: the same banks at every month-end compared.
        {{ sum_over('in_ytd', 'mfg_loans - mfg_loans_last_december') }} as ytd_increment,
        {{ sum_over('in_ytd_yoy', '(mfg_loans - mfg_loans_last_december)'
                    ~ ' - (mfg_loans_year_before - mfg_loans_december_before)') }}
            as ytd_yoy_change,
        -- 年均: the same banks, with both files, now and at the baseline.
        {{ sum_over('in_avg_growth', 'total_loans') }} as avg_total,
        {{ sum_over('in_avg_growth', 'total_loans_at_baseline') }} as avg_total_base,
        {{ sum_over('in_avg_growth', 'mfg_loans') }} as avg_mfg,
        {{ sum_over('in_avg_growth', 'mfg_loans_at_baseline') }} as avg_mfg_base,
        count(case when has_loans then 1 end) as banks_reporting,
        count(case when has_totals then 1 end) as banks_with_totals,
        count(case when in_share then 1 end) as banks_in_share,
        count(case when in_yoy then 1 end) as banks_in_yoy,
        count(case when in_ytd then 1 end) as banks_in_ytd,
        count(case when in_avg_growth then 1 end) as banks_in_avg_growth
    from city_sets
    group by period

),

city_metrics as (

    select
        'city' as scope,
        '500000' as scope_code,
        period,
        cast(total_loans as decimal(20, 2)) as total_loans,
        cast(mfg_loans as decimal(20, 2)) as mfg_loans,
        cast(mfg_mlt_loans as decimal(20, 2)) as mfg_mlt_loans,
        cast(mfg_credit_loans as decimal(20, 2)) as mfg_credit_loans,
        cast(mfg_new_loans as decimal(20, 2)) as mfg_new_loans,
        {{ safe_ratio('share_mfg', 'share_total') }} as mfg_loan_share,
        {{ safe_ratio('share_mlt', 'share_mfg') }} as mfg_mlt_share,
        {{ safe_ratio('share_credit', 'share_mfg') }} as mfg_credit_share,
        {{ safe_ratio('yoy_mfg', 'yoy_mfg_before') }} - 1 as mfg_loans_yoy_growth,
        {{ safe_ratio('yoy_total', 'yoy_total_before') }} - 1 as total_loans_yoy_growth,
        {{ safe_ratio('yoy_mlt', 'yoy_mlt_before') }} - 1 as mfg_mlt_loans_yoy_growth,
        {{ safe_ratio('yoy_credit', 'yoy_credit_before') }} - 1 as mfg_credit_loans_yoy_growth,
        cast(ytd_increment as decimal(20, 2)) as mfg_loans_ytd_increment,
        cast(ytd_yoy_change as decimal(20, 2)) as mfg_loans_ytd_increment_yoy_change,
        {{ safe_ratio('yoy_mlt', 'yoy_mfg') }}
        - {{ safe_ratio('yoy_mlt_before', 'yoy_mfg_before') }} as mfg_mlt_share_yoy_change,
        {{ safe_ratio('yoy_credit', 'yoy_mfg') }}
        - {{ safe_ratio('yoy_credit_before', 'yoy_mfg_before') }}
            as mfg_credit_share_yoy_change,
        {{ average_growth('avg_mfg', 'avg_mfg_base', 'months_since_baseline') }}
            as mfg_loans_avg_annual_growth,
        {{ average_growth('avg_total', 'avg_total_base', 'months_since_baseline') }}
            as total_loans_avg_annual_growth,
        banks_reporting,
        banks_with_totals,
        banks_in_share,
        banks_in_yoy,
        banks_in_ytd,
        banks_in_avg_growth,
        cast(null as boolean) as has_loans,
        cast(null as boolean) as has_totals,
        cast(null as boolean) as has_loans_year_before,
        cast(null as boolean) as has_totals_year_before,
        cast(null as decimal(20, 2)) as mfg_loans_year_before
    from city_sums

),

combined as (

    select * from bank_metrics
    union all
    select * from city_metrics

),

final as (

    select
        *,
        mfg_loans_yoy_growth - total_loans_yoy_growth as growth_gap
    from combined

)

select * from final
