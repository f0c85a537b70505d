with

targets as (

    select * from {{ ref('plan_targets') }}

),

city as (

    select * from {{ ref('city_loan_metrics') }}

),

bonds as (

    select * from {{ ref('int_bonds_converted') }}

),

fund_investments as (

    select * from {{ ref('int_fund_investments_converted') }}

),

ipos as (

    select * from {{ ref('stg_raw__ipos') }}

),

engagements as (

    select * from {{ ref('stg_raw__engagements') }}

),

digits as (

    select 0 as n
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9

),

target_years as (

    select
        targets.*,
        targets.first_year + digits.n as year
    from targets
    inner join digits
        on targets.first_year + digits.n <= targets.last_year

),

city_year_end as (

    -- A year's loan figures are those of its latest month-end with data.
    select year(period) as year, max(period) as period
    from city
    group by year(period)

),

loan_levels as (

    select
        city_year_end.year,
        city_year_end.period as as_of_period,
        city.mfg_loan_share,
        -- 一、(二): the plan compares 年均增速 since its baseline, not one year's 同比.
        city.mfg_loans_avg_annual_growth - city.total_loans_avg_annual_growth as growth_gap,
        city.mfg_mlt_share_yoy_change,
        city.mfg_credit_share_yoy_change
    from city_year_end
    inner join city
        on city_year_end.period = city.period

),

event_years as (

    select distinct year(period) as year from bonds
    union
    select distinct year(period) from fund_investments
    union
    select distinct year(period) from ipos
    union
    select distinct year(period) from engagements

),

cumulative as (

    -- Money targets count from January of the plan's first year to the year's end.
    select
        event_years.year,
        (
            select sum(amount_cny) from bonds
            where year(issue_date) between (select min(first_year) from targets)
                and event_years.year
        ) as bond_financing,
        (
            select sum(amount_cny) from fund_investments
            where year(invest_date) between (select min(first_year) from targets)
                and event_years.year
        ) as fund_investment,
        (
            select max(period) from bonds
            where year(period) <= event_years.year
        ) as bonds_as_of,
        (
            select max(period) from fund_investments
            where year(period) <= event_years.year)
            as funds_as_of
    from event_years

),

reserve as (

    -- 上市培育企业: any listing-cultivation event by the year-end, not yet listed then.
    select
        event_years.year,
        count(distinct case when ipos.stage_date <= make_date(event_years.year, 12, 31)
                then ipos.enterprise_uscc
        end)
        - count(distinct case when ipos.stage = '上市'
                and ipos.stage_date <= make_date(event_years.year, 12, 31)
                then ipos.enterprise_uscc
        end) as listing_reserve,
        max(case when year(ipos.period) <= event_years.year then ipos.period end)
            as reserve_as_of
    from event_years
    cross join ipos
    group by event_years.year

),

yearly_engagements as (

    select
        year(event_date) as year,
        count(*) as engagements,
        count(distinct case when event_type = '硬科技帮扶' then enterprise_uscc end)
            as hard_tech_helped,
        max(period) as engagements_as_of
    from engagements
    group by year(event_date)

),

actuals as (

    select
        'mfg_loan_share' as metric, year, cast(mfg_loan_share as double) as actual_value,
        as_of_period
    from loan_levels
    union all
    select 'growth_gap', year, growth_gap, as_of_period from loan_levels
    union all
    select 'mfg_mlt_share_change', year, mfg_mlt_share_yoy_change, as_of_period
    from loan_levels
    union all
    select 'mfg_credit_share_change', year, mfg_credit_share_yoy_change, as_of_period
    from loan_levels
    union all
    select 'bond_financing', year, cast(bond_financing as double), bonds_as_of from cumulative
    union all
    select 'fund_investment', year, cast(fund_investment as double), funds_as_of
    from cumulative
    union all
    select 'listing_reserve', year, cast(listing_reserve as double), reserve_as_of from reserve
    union all
    select 'engagements', year, cast(engagements as double), engagements_as_of
    from yearly_engagements
    union all
    select 'hard_tech_helped', year, cast(hard_tech_helped as double), engagements_as_of
    from yearly_engagements

),

baselines as (

    -- Where the level targets started: the month-end before the plan (2023-12).
    select
        'mfg_loan_share' as metric,
        cast(mfg_loan_share as double) as baseline_value
    from city
    where period = (select make_date(min(first_year) - 1, 12, 31) from targets)

),

measured as (

    select
        target_years.*,
        actuals.actual_value,
        actuals.as_of_period,
        coalesce(baselines.baseline_value, 0) as baseline_value,
        -- Months of the plan behind us at the as-of month-end, and in all.
        (year(actuals.as_of_period) - target_years.first_year) * 12
        + month(actuals.as_of_period) as months_elapsed,
        (target_years.last_year - target_years.first_year + 1) * 12 as months_total,
        month(actuals.as_of_period) as months_into_year
    from target_years
    left join actuals
        on target_years.metric = actuals.metric
            and target_years.year = actuals.year
            and actuals.actual_value is not null
    left join baselines
        on target_years.metric = baselines.metric

),

paced as (

    select
        *,
        case
            when actual_value is null then null
            when basis = 'cumulative' then target_value * months_elapsed / months_total
            when basis = 'level_by_deadline'
                then baseline_value
                    + (target_value - baseline_value) * months_elapsed / months_total
            when unit in ('ratio') then target_value
            else target_value * months_into_year / 12
        end as expected_by_now,
        case
            when actual_value is null then null
            when basis = 'cumulative' then actual_value * months_total / months_elapsed
            when basis = 'level_by_deadline'
                then baseline_value
                    + (actual_value - baseline_value) * months_total / months_elapsed
            when unit in ('ratio') then actual_value
            else actual_value * 12 / months_into_year
        end as projected_at_deadline
    from measured

),

final as (

    select
        target_code,
        description,
        clause,
        year,
        basis,
        comparison,
        unit,
        target_value,
        actual_value,
        as_of_period,
        case when target_value > 0 then actual_value / target_value end as progress,
        expected_by_now,
        case
            when actual_value is null then null
            when comparison = 'above' then actual_value > expected_by_now
            else actual_value >= expected_by_now
        end as on_track,
        projected_at_deadline
    from paced

)

select * from final
