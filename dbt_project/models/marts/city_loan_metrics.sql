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
        mfg_credit_share_yoy_change
    from metrics
    where scope = 'city'

)

select * from final
