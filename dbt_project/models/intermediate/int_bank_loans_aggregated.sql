-- depends_on: {{ ref('stg_audit__submissions') }}
{{ config(
    materialized='incremental',
    unique_key=['bank_code', 'period'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

loans as (

    select * from {{ ref('int_loans_classified') }}
    {% if is_incremental() %}
    -- Nightly cost must not grow with history: only the bank × months whose current loans
    -- file is not the one already summed here are read again (a new month, a resubmission).
    where submission_id in ({{ unsummed_loan_submissions(this) }})
    {% endif %}

),

aggregated as (

    select
        bank_code,
        period,
        max(submission_id) as submission_id,
        count(*) as loan_count,
        cast(sum(balance_in_cny) as decimal(20, 2)) as corporate_loans_detail,
        cast(sum(case when is_manufacturing then balance_in_cny else 0 end) as decimal(20, 2))
            as mfg_loans,
        cast(sum(
            case when is_manufacturing and is_medium_long_term then balance_in_cny else 0 end
        ) as decimal(20, 2)) as mfg_mlt_loans,
        cast(sum(
            case when is_manufacturing and is_credit then balance_in_cny else 0 end
        ) as decimal(20, 2)) as mfg_credit_loans
    from loans
    group by bank_code, period

),

final as (

    select * from aggregated

)

select * from final
