{{ config(materialized='table') }}

with

industries as (

    select * from {{ ref('int_loan_industries_aggregated') }}

),

aggregated as (

    select
        bank_code,
        period,
        max(submission_id) as submission_id,
        sum(loan_count) as loan_count,
        cast(sum(balance_cny) as decimal(20, 2)) as corporate_loans_detail,
        cast(sum(case when is_manufacturing then balance_cny else 0 end) as decimal(20, 2))
            as mfg_loans,
        cast(sum(
            case when is_manufacturing and is_medium_long_term then balance_cny else 0 end
        ) as decimal(20, 2)) as mfg_mlt_loans,
        cast(sum(
            case when is_manufacturing and is_credit then balance_cny else 0 end
        ) as decimal(20, 2)) as mfg_credit_loans,
        cast(
            sum(case when is_manufacturing then issued_in_month_cny else 0 end)
            as decimal(20, 2)
        ) as mfg_new_loans
    from industries
    group by bank_code, period

),

final as (

    select * from aggregated

)

select * from final
