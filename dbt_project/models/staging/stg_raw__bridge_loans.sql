with

current_bridge_loans as (

    {{ current_rows(source('raw', 'bridge_loans')) }}

),

newest as (

    {{ newest_per('current_bridge_loans', 'bridge_id') }}

),

final as (

    select
        submission_id,
        bridge_id,
        report_period as period,
        enterprise_uscc,
        bank_code,
        amount,
        start_date,
        end_date,
        fee_rate,
        fee_charged
    from newest

)

select * from final
