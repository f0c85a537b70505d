with

metrics as (

    select * from {{ ref('int_loan_metrics_computed') }}

),

final as (

    select
        period,
        total_loans,
        mfg_loans,
        mfg_mlt_loans,
        mfg_credit_loans,
        mfg_loan_share,
        mfg_mlt_share,
        mfg_credit_share,
        mfg_loans_yoy_growth,
        total_loans_yoy_growth,
        growth_gap,
        mfg_loans_ytd_increment,
        mfg_mlt_share_yoy_change,
        mfg_credit_share_yoy_change,
        mfg_mlt_loans_yoy_growth,
        mfg_credit_loans_yoy_growth,
        mfg_loans_ytd_increment_yoy_change,
        mfg_new_loans,
        mfg_loans_avg_annual_growth,
        total_loans_avg_annual_growth,
        banks_reporting,
        banks_with_totals,
        banks_in_share,
        banks_in_yoy,
        banks_in_ytd,
        banks_in_avg_growth
    from metrics
    where scope = 'city'

)

select * from final
