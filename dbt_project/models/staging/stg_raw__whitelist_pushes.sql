with

current_whitelist_pushes as (

    {{ current_rows(source('raw', 'whitelist_pushes')) }}

),

newest as (

    {{ newest_per('current_whitelist_pushes', 'push_id, status') }}

),

final as (

    select
        submission_id,
        push_id,
        report_period as period,
        enterprise_uscc,
        bank_code,
        push_date,
        status,
        status_date,
        amount
    from newest

)

select * from final
