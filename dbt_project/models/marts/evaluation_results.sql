{#- Frozen: rows are only ever appended, never rewritten — not even by --full-refresh. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='fail',
) }}

with

scorecard as (

    select * from {{ ref('bank_scorecard') }}

),

policy as (

    select * from {{ ref('scorecard_policy') }}

),

submissions as (

    select * from {{ ref('stg_audit__submissions') }}

),

due as (

    -- A quarter is frozen at its cut-off (the policy's days after quarter-end), or when
    -- `zhirong evaluate --period` asks (var freeze_period).
    select distinct scorecard.period
    from scorecard
    inner join policy
        on scorecard.weights_version = policy.weights_version
    where scorecard.is_quarter_end
        and (
            {{ warehouse_today() }} >= scorecard.period + cast(policy.cutoff_days as integer)
            {% if var('freeze_period', none) %}
                or scorecard.period = cast('{{ var("freeze_period") }}' as date)
            {% endif %}
        )
        -- sqlfluff cannot place a Jinja block inside a where clause: its indent is ours.
        -- noqa: disable=LT02
        {% if is_incremental() %}
            and scorecard.period not in (select period from {{ this }})
        {% endif %}

),

-- noqa: enable=LT02

inputs as (

    -- The submissions the evaluation used: the bank's current loans and totals files of
    -- the quarter-end and of the month-end a year before.
    select
        reporter as bank_code,
        period,
        submission_id
    from submissions
    where is_current and kind in ('loans', 'loan_totals')

),

used as (

    select
        due.period,
        inputs.bank_code,
        {{ ordered_list('cast(inputs.submission_id as varchar)', ',', 'inputs.submission_id') }}
            as submission_ids
    from due
    inner join inputs
        on inputs.period in (due.period, {{ month_end_before('due.period', 12) }})
    group by due.period, inputs.bank_code

),

final as (

    select
        scorecard.bank_code,
        scorecard.bank_name,
        scorecard.peer_group,
        scorecard.period,
        scorecard.growth_gap_score,
        scorecard.mfg_loan_share_score,
        scorecard.mlt_share_change_score,
        scorecard.credit_share_change_score,
        scorecard.data_quality_score,
        scorecard.composite_score,
        scorecard.grade,
        scorecard.is_graded,
        scorecard.not_graded_reason,
        scorecard.rank_in_peer_group,
        scorecard.peer_group_size,
        scorecard.rank_city,
        scorecard.banks_ranked,
        scorecard.weights_version,
        used.submission_ids,
        {{ warehouse_now() }} as frozen_at,
        {% if var('freeze_period', none) %}
            case when scorecard.period = cast('{{ var("freeze_period") }}' as date)
                    then 'zhirong evaluate'
                else 'cut-off'
            end
        {% else %}
            'cut-off'
        {% endif %} as frozen_by
    from scorecard
    inner join due
        on scorecard.period = due.period
    left join used
        on scorecard.period = used.period
            and scorecard.bank_code = used.bank_code

)

select * from final
