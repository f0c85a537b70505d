with

current_subsidy_claims as (

    {{ current_rows(source('raw', 'subsidy_claims')) }}

),

newest as (

    {{ newest_per('current_subsidy_claims', 'claim_id') }}

),

final as (

    select
        submission_id,
        claim_id,
        year,
        report_period as period,
        enterprise_uscc,
        enterprise_name,
        project_name,
        bank_code,
        loan_id,
        loan_amount,
        actual_rate,
        interest_paid,
        guarantor_uscc,
        guarantor_name,
        guarantee_fee_rate,
        guarantee_fee_paid
    from newest

)

select * from final
