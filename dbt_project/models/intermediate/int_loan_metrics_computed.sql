{{ config(materialized='table') }}

with

balances as (

    select * from {{ ref('int_loan_balances_scoped') }}

),

shares as (

    select
        *,
        {{ safe_ratio('mfg_loans', 'total_loans') }} as mfg_loan_share,
        {{ safe_ratio('mfg_mlt_loans', 'mfg_loans') }} as mfg_mlt_share,
        {{ safe_ratio('mfg_credit_loans', 'mfg_loans') }} as mfg_credit_share
    from balances

),

compared as (

    select
        current_month.*,
        {{ safe_ratio('current_month.mfg_loans', 'year_before.mfg_loans') }} - 1
            as mfg_loans_yoy_growth,
        {{ safe_ratio('current_month.total_loans', 'year_before.total_loans') }} - 1
            as total_loans_yoy_growth,
        current_month.mfg_loans - last_december.mfg_loans as mfg_loans_ytd_increment,
        current_month.mfg_mlt_share - year_before.mfg_mlt_share as mfg_mlt_share_yoy_change,
        current_month.mfg_credit_share - year_before.mfg_credit_share
            as mfg_credit_share_yoy_change
    from shares as current_month
    left join shares as year_before
        on current_month.scope = year_before.scope
        and current_month.scope_code = year_before.scope_code
        and year_before.period = {{ month_end_before('current_month.period', 12) }}
    left join shares as last_december
        on current_month.scope = last_december.scope
        and current_month.scope_code = last_december.scope_code
        and last_december.period = {{ previous_year_end('current_month.period') }}

),

final as (

    select
        scope,
        scope_code,
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
        mfg_loans_yoy_growth - total_loans_yoy_growth as growth_gap,
        mfg_loans_ytd_increment,
        mfg_mlt_share_yoy_change,
        mfg_credit_share_yoy_change
    from compared

)

select * from final
