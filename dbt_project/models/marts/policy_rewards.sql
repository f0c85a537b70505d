with

deals as (

    select * from {{ ref('int_fund_investments_converted') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_clustered') }}

),

rewards as (

    select * from {{ ref('financing_rewards') }}

),

ipo_stages as (

    select * from {{ ref('int_ipo_stages_reached') }}

),

ranked_deals as (

    select
        *,
        row_number() over (partition by investee_uscc order by invest_date, deal_id) as deal_order
    from deals

),

first_deals as (

    select * from ranked_deals
    where deal_order = 1

),

first_financing as (

    -- Plan 四、(三): a one-off reward on a 瞪羚 or 独角兽 enterprise's first fund financing, a
    -- rate of the round up to the designation's cap, at the rules in force on the deal day.
    select
        first_deals.investee_uscc as enterprise_uscc,
        coalesce(enterprises.name, first_deals.investee_name) as enterprise_name,
        'first_fund_financing' as reward_type,
        rewards.designation,
        first_deals.deal_id as basis_id,
        first_deals.invest_date as basis_date,
        first_deals.amount_cny as basis_amount,
        rewards.reward_rate,
        cast(round(first_deals.amount_cny * rewards.reward_rate, 2) as decimal(18, 2))
            as computed_reward,
        rewards.cap_yuan,
        rewards.rewards_version
    from first_deals
    inner join enterprises
        on first_deals.investee_uscc = enterprises.uscc
    inner join rewards
        on instr(enterprises.designations, rewards.designation) > 0
            and first_deals.invest_date >= rewards.valid_from
            and (rewards.valid_to is null or first_deals.invest_date <= rewards.valid_to)

),

best_designation as (

    -- An enterprise that is both 瞪羚 and 独角兽 gets the one reward, the larger.
    select
        *,
        row_number() over (
            partition by enterprise_uscc
            order by least(computed_reward, cap_yuan) desc, designation
        ) as reward_order
    from first_financing

),

listing as (

    -- 渝财规〔2022〕10号: a reward per stage of the IPO track reached.
    select
        ipo_stages.enterprise_uscc,
        enterprises.name as enterprise_name,
        'ipo_stage' as reward_type,
        ipo_stages.stage as designation,
        cast(null as string) as basis_id,
        ipo_stages.reached_on as basis_date,
        cast(null as decimal(18, 2)) as basis_amount,
        cast(null as double) as reward_rate,
        ipo_stages.reward_yuan as computed_reward,
        ipo_stages.reward_yuan as cap_yuan,
        ipo_stages.rewards_version
    from ipo_stages
    left join enterprises
        on ipo_stages.enterprise_uscc = enterprises.uscc
    where ipo_stages.reward_yuan is not null

),

combined as (

    select
        enterprise_uscc,
        enterprise_name,
        reward_type,
        designation,
        basis_id,
        basis_date,
        basis_amount,
        reward_rate,
        computed_reward,
        cap_yuan,
        rewards_version
    from best_designation
    where reward_order = 1
    union all
    select * from listing

),

final as (

    select
        enterprise_uscc,
        enterprise_name,
        reward_type,
        designation as reward_basis,
        basis_id,
        basis_date,
        year(basis_date) as year,
        basis_amount,
        reward_rate,
        computed_reward,
        cap_yuan,
        cast(least(computed_reward, cap_yuan) as decimal(18, 2)) as reward_due,
        computed_reward > cap_yuan as is_capped,
        rewards_version
    from combined

)

select * from final
