with

metrics as (

    select * from {{ ref('int_loan_metrics_computed') }}

),

banks as (

    select * from {{ ref('banks') }}

),

final as (

    select
        metrics.scope_code as bank_code,
        banks.bank_name,
        banks.bank_type,
        metrics.period,
        metrics.total_loans,
        metrics.mfg_loans,
        metrics.mfg_mlt_loans,
        metrics.mfg_credit_loans,
        metrics.mfg_loan_share,
        metrics.mfg_mlt_share,
        metrics.mfg_credit_share,
        metrics.mfg_loans_yoy_growth,
        metrics.total_loans_yoy_growth,
        metrics.growth_gap,
        metrics.mfg_loans_ytd_increment,
        metrics.mfg_mlt_share_yoy_change,
        metrics.mfg_credit_share_yoy_change,
        metrics.mfg_mlt_loans_yoy_growth,
        metrics.mfg_credit_loans_yoy_growth,
        metrics.mfg_loans_ytd_increment_yoy_change,
        metrics.mfg_new_loans,
        metrics.mfg_loans_avg_annual_growth,
        metrics.total_loans_avg_annual_growth
    from metrics
    left join banks
        on metrics.scope_code = banks.bank_code
    where metrics.scope = 'bank'

)

select * from final
