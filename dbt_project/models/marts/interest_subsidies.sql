with

claims as (

    select * from {{ ref('int_subsidy_claims_matched') }}

),

rules as (

    select * from {{ ref('subsidy_rules') }}

),

ruled as (

    -- The rules in force on the first day of the claim year.
    select
        claims.*,
        rules.rules_version,
        rules.interest_share_of_rate,
        rules.interest_rate_ceiling_pct,
        rules.interest_cap_per_project_year
    from claims
    left join rules
        on make_date(claims.year, 1, 1) >= rules.valid_from
            and (rules.valid_to is null or make_date(claims.year, 1, 1) <= rules.valid_to)

),

judged as (

    select
        *,
        case
            when not is_tech_loan_current then 'loan_not_in_current_files'
            when not is_manufacturing_borrower then 'not_manufacturing'
            when interest_paid <= 0 then 'no_interest_paid'
        end as not_eligible_reason,
        -- Plan 四、(一): at most 50 % of the actual rate and (渝经信规范〔2024〕11号) at most
        -- 2 % of the loan a year, i.e. interest × min(50 %, 2 % ÷ actual rate).
        least(interest_share_of_rate, interest_rate_ceiling_pct / actual_rate) as subsidy_rate
    from ruled

),

computed as (

    select
        *,
        not_eligible_reason is null as is_eligible,
        case
            when not_eligible_reason is null
                then cast(round(interest_paid * subsidy_rate, 2) as decimal(18, 2))
            else cast(0 as decimal(18, 2))
        end as computed_subsidy
    from judged

),

allotted as (

    -- At most the cap per enterprise project per year: claims share it in claim order.
    select
        *,
        coalesce(
            sum(computed_subsidy) over (
                partition by enterprise_uscc, project_name, year
                order by claim_id
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as allotted_before
    from computed

),

final as (

    select
        claim_id,
        year,
        enterprise_uscc,
        enterprise_name,
        project_name,
        bank_code,
        bank_name,
        loan_id,
        loan_amount,
        loan_highest_balance,
        actual_rate,
        interest_paid,
        is_eligible,
        not_eligible_reason,
        subsidy_rate,
        computed_subsidy,
        cast(
            greatest(
                least(computed_subsidy, interest_cap_per_project_year - allotted_before), 0
            ) as decimal(18, 2)
        ) as subsidy_due,
        case
            when not is_eligible then null
            when computed_subsidy > interest_cap_per_project_year - allotted_before
                then 'project_year_cap'
            when interest_share_of_rate <= interest_rate_ceiling_pct / actual_rate
                then 'half_of_rate'
            else 'two_percent_of_loan'
        end as binding_limit,
        cast(
            sum(
                greatest(
                    least(computed_subsidy, interest_cap_per_project_year - allotted_before), 0
                )
            ) over (partition by enterprise_uscc, project_name, year) as decimal(18, 2)
        ) as project_year_subsidy,
        interest_cap_per_project_year,
        rules_version,
        submission_id
    from allotted

)

select * from final
