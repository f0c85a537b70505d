with

stages as (

    select * from {{ ref('int_ipo_stages_reached') }}

),

track as (

    select distinct stage, stage_rank from stages

),

years as (

    select distinct year(reached_on) as year from stages

),

counted as (

    select
        years.year,
        track.stage,
        track.stage_rank,
        count(distinct case when year(stages.reached_on) = years.year
                then stages.enterprise_uscc
        end) as entered_in_year,
        count(distinct case when stages.reached_on <= make_date(years.year, 12, 31)
                then stages.enterprise_uscc
        end) as reached_by_year_end
    from years
    cross join track
    left join stages
        on track.stage = stages.stage
    group by years.year, track.stage, track.stage_rank

),

final as (

    select
        year,
        stage,
        stage_rank,
        entered_in_year,
        reached_by_year_end,
        -- Of the enterprises that had reached the stage before, the share that reached this
        -- one by the same year-end.
        {{ safe_ratio(
            'reached_by_year_end',
            'lag(reached_by_year_end) over (partition by year order by stage_rank)'
        ) }}
            as conversion_from_previous_stage
    from counted

)

select * from final
