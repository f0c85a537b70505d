with

ipos as (

    select * from {{ ref('stg_raw__ipos') }}

),

rewards as (

    select * from {{ ref('ipo_rewards') }}

),

track as (

    -- The first date each enterprise reached each stage of the IPO track.
    select
        enterprise_uscc,
        stage,
        stage_rank,
        min(stage_date) as reached_on
    from ipos
    where stage_rank is not null
    group by enterprise_uscc, stage, stage_rank

),

final as (

    -- 渝财规〔2022〕10号: a reward per stage reached, at the rate in force that day.
    select
        track.*,
        rewards.reward_yuan,
        rewards.rewards_version
    from track
    left join rewards
        on track.stage = rewards.stage
            and track.reached_on >= rewards.valid_from
            and (rewards.valid_to is null or track.reached_on <= rewards.valid_to)

)

select * from final
