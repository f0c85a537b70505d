with

cases as (

    select * from {{ ref('stg_raw__guarantee_compensations') }}

),

banks as (

    select * from {{ ref('banks') }}

),

rules as (

    select * from {{ ref('risk_sharing_rules') }}

),

shared as (

    -- Plan 五、(三): 直担 : 再担 : 国担基金 : 银行 = 4 : 2 : 2 : 2, at the rules in force on
    -- the compensation day. The bank's and the direct guarantor's parties are named.
    select
        cases.case_id,
        year(cases.compensation_date) as year,
        cases.compensation_date,
        cases.bank_code,
        banks.bank_name,
        cases.loan_id,
        cases.enterprise_uscc,
        cases.direct_guarantor,
        cases.loss_amount,
        rules.party,
        rules.party_name,
        rules.party_order,
        case
            when rules.party = 'direct_guarantor' then cases.direct_guarantor
            when rules.party = 'bank' then banks.bank_name
            else rules.party_name
        end as bearer,
        rules.share,
        cast(round(cases.loss_amount * rules.share, 2) as decimal(18, 2)) as amount,
        rules.rules_version
    from cases
    inner join rules
        on cases.compensation_date >= rules.valid_from
            and (rules.valid_to is null or cases.compensation_date <= rules.valid_to)
    left join banks
        on cases.bank_code = banks.bank_code

),

balanced as (

    -- Each share is rounded to the cent; the last party takes what rounding leaves, so the
    -- parts always add up to the loss.
    select
        *,
        party_order = max(party_order) over (partition by case_id) as is_last_party,
        sum(amount) over (partition by case_id) as shared_amount
    from shared

),

final as (

    select
        case_id,
        year,
        compensation_date,
        bank_code,
        bank_name,
        loan_id,
        enterprise_uscc,
        direct_guarantor,
        loss_amount,
        party,
        party_name,
        party_order,
        bearer,
        share,
        cast(
            case
                when is_last_party then amount + (loss_amount - shared_amount)
                else amount
            end as decimal(18, 2)
        ) as amount,
        rules_version
    from balanced

)

select * from final
