with

claims as (

    select * from {{ ref('int_subsidy_claims_matched') }}

),

rules as (

    select * from {{ ref('subsidy_rules') }}

),

guaranteed as (

    -- Plan 四、(一): a guarantor of a 技改专项贷 project whose yearly fee rate is at most 1 %.
    select
        claims.*,
        rules.rules_version,
        rules.fee_share,
        rules.fee_cap_per_guarantor_year,
        claims.is_tech_loan_current
        and claims.is_manufacturing_borrower
        and claims.guarantee_fee_rate <= rules.fee_rate_ceiling_pct as is_eligible
    from claims
    left join rules
        on make_date(claims.year, 1, 1) >= rules.valid_from
            and (rules.valid_to is null or make_date(claims.year, 1, 1) <= rules.valid_to)
    where claims.guarantor_uscc is not null

),

per_guarantor as (

    select
        guarantor_uscc,
        year,
        max(guarantor_name) as guarantor_name,
        count(*) as claims,
        sum(case when is_eligible then 1 else 0 end) as eligible_claims,
        sum(case when is_eligible then 0 else 1 end) as not_eligible_claims,
        sum(guarantee_fee_paid) as fees_paid,
        coalesce(sum(case when is_eligible then guarantee_fee_paid end), 0) as eligible_fees_paid,
        max(fee_share) as fee_share,
        max(fee_cap_per_guarantor_year) as fee_cap_per_guarantor_year,
        max(rules_version) as rules_version
    from guaranteed
    group by guarantor_uscc, year

),

final as (

    select
        guarantor_uscc,
        guarantor_name,
        year,
        claims,
        eligible_claims,
        not_eligible_claims,
        fees_paid,
        eligible_fees_paid,
        cast(round(eligible_fees_paid * fee_share, 2) as decimal(18, 2)) as computed_subsidy,
        cast(
            least(round(eligible_fees_paid * fee_share, 2), fee_cap_per_guarantor_year)
            as decimal(18, 2)
        ) as subsidy_due,
        round(eligible_fees_paid * fee_share, 2) > fee_cap_per_guarantor_year as is_capped,
        fee_cap_per_guarantor_year,
        rules_version
    from per_guarantor

)

select * from final
