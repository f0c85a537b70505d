with

bridges as (

    select * from {{ ref('stg_raw__bridge_loans') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_clustered') }}

),

banks as (

    select * from {{ ref('banks') }}

),

rules as (

    select * from {{ ref('bridge_loan_rules') }}

),

ruled as (

    -- The rules in force on the day the bridge starts; designations from the register.
    select
        bridges.*,
        enterprises.name as enterprise_name,
        banks.bank_name,
        rules.rules_version,
        rules.cap_yuan,
        rules.large_private_cap_yuan,
        coalesce(instr(enterprises.designations, rules.large_private_designation) > 0, false)
            as is_large_private,
        -- 专精特新 covers the national 小巨人 too (plan 四、(二): 国家和市级专精特新).
        coalesce(instr(enterprises.designations, rules.fee_waived_designation) > 0, false)
            as is_fee_waived,
        {{ days_between('bridges.start_date', 'bridges.end_date') }} as days
    from bridges
    left join enterprises
        on bridges.enterprise_uscc = enterprises.uscc
    left join banks
        on bridges.bank_code = banks.bank_code
    left join rules
        on bridges.start_date >= rules.valid_from
            and (rules.valid_to is null or bridges.start_date <= rules.valid_to)

),

capped as (

    select
        *,
        case when is_large_private then large_private_cap_yuan else cap_yuan end as cap_amount,
        case
            when is_fee_waived then cast(0 as decimal(18, 2))
            else cast(round(amount * fee_rate / 100 * days / 365, 2) as decimal(18, 2))
        end as fee_due
    from ruled

),

final as (

    select
        bridge_id,
        enterprise_uscc,
        enterprise_name,
        bank_code,
        bank_name,
        period,
        amount,
        start_date,
        end_date,
        days,
        is_large_private,
        cap_amount,
        amount <= cap_amount as is_within_cap,
        cast(greatest(amount - cap_amount, 0) as decimal(18, 2)) as amount_over_cap,
        is_fee_waived,
        fee_rate,
        fee_due,
        fee_charged,
        cast(greatest(fee_charged - fee_due, 0) as decimal(18, 2)) as fee_overcharged,
        rules_version
    from capped

)

select * from final
