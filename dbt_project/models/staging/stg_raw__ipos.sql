with

current_ipos as (

    {{ current_rows(source('raw', 'ipos')) }}

),

newest as (

    {{ newest_per('current_ipos', 'event_id') }}

),

final as (

    select
        submission_id,
        event_id,
        enterprise_uscc,
        enterprise_name,
        stage,
        stage_rank,
        stage_date,
        report_period as period,
        exchange,
        board,
        stock_code,
        amount_raised
    from newest

)

select * from final
