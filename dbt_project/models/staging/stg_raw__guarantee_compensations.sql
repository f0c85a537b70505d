with

current_guarantee_compensations as (

    {{ current_rows(source('raw', 'guarantee_compensations')) }}

),

newest as (

    {{ newest_per('current_guarantee_compensations', 'case_id') }}

),

final as (

    select
        submission_id,
        case_id,
        report_period as period,
        bank_code,
        loan_id,
        enterprise_uscc,
        direct_guarantor,
        compensation_date,
        loss_amount
    from newest

)

select * from final
