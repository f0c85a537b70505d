with

current_engagements as (

    {{ current_rows(source('raw', 'engagements')) }}

),

newest as (

    {{ newest_per('current_engagements', 'event_id, enterprise_uscc') }}

),

final as (

    select
        submission_id,
        event_id,
        event_date,
        report_period as period,
        event_type,
        organizer,
        enterprise_uscc,
        bank_code,
        outcome,
        amount
    from newest

)

select * from final
