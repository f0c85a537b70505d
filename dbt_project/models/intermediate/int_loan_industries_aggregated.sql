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

    -- The industry class is kept so 33618 clusters need no second scan.
    select
        bank_code,
        period,
        submission_id,
        industry_code,
        industry_division,
        is_manufacturing,
        is_medium_long_term,
        is_credit,
        count(*) as loan_count,
        cast(sum(balance_in_cny) as decimal(20, 2)) as balance_cny,
        cast(
            coalesce(sum(case when is_issued_in_month then balance_in_cny end), 0)
            as decimal(20, 2)
        ) as issued_in_month_cny
    from loans
    group by all

),

final as (

    select * from aggregated

)

select * from final
