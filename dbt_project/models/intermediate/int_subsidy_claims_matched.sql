{#- A table: two marts and its tests read it, and a view would scan the loans for each. -#}
{{ config(materialized='table') }}

with

claims as (

    select * from {{ ref('stg_raw__subsidy_claims') }}

),

loans as (

    select * from {{ ref('int_loans_classified') }}

),

banks as (

    select * from {{ ref('banks') }}

),

claimed_loans as (

    -- Only the lines of claimed loans: a semi-join on the (small) claims, so a warehouse
    -- without claims reads no loan line here. Manufacturing and the CNY balance are
    -- int_loans_classified's, the one place they are decided.
    select * from loans
    where loan_id in (select loan_id from claims)

),

claimed_lines as (

    -- The claim's loan in the bank's current files of the claim year: the gate checked it
    -- on arrival, but a later resubmission of the loans file can take it away.
    select
        claims.claim_id,
        max(
            case
                when claimed_loans.product = '技改专项贷'
                    and claimed_loans.borrower_uscc = claims.enterprise_uscc
                    then 1
                else 0
            end
        ) as tech_loan_lines,
        max(case when claimed_loans.is_manufacturing then 1 else 0 end) as manufacturing_lines,
        max(claimed_loans.balance_in_cny) as loan_highest_balance
    from claims
    inner join claimed_loans
        on claims.bank_code = claimed_loans.bank_code
            and claims.loan_id = claimed_loans.loan_id
            and year(claimed_loans.period) = claims.year
    group by claims.claim_id

),

final as (

    select
        claims.*,
        banks.bank_name,
        coalesce(claimed_lines.tech_loan_lines = 1, false) as is_tech_loan_current,
        coalesce(claimed_lines.manufacturing_lines = 1, false) as is_manufacturing_borrower,
        claimed_lines.loan_highest_balance
    from claims
    left join claimed_lines
        on claims.claim_id = claimed_lines.claim_id
    left join banks
        on claims.bank_code = banks.bank_code

)

select * from final
