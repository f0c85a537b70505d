{{ config(materialized='table') }}

with

loan_industries as (

    select distinct industry_code from {{ ref('int_loan_industries_aggregated') }}

),

register_industries as (

    select distinct industry_code from {{ ref('stg_raw__enterprises') }}

),

industry_map as (

    select * from {{ ref('cluster_industry_map') }}

),

industries as (

    select industry_code from loan_industries
    where industry_code is not null
    union
    select industry_code from register_industries
    where industry_code is not null

),

candidates as (

    -- No official crosswalk exists (docs/domain.md): a GB/T 4754 prefix maps to a cluster, and the
    -- longest matching prefix wins (3751 摩托车 before 37, 3973 集成电路 before 39).
    select
        industries.industry_code,
        industry_map.cluster_code,
        row_number() over (
            partition by industries.industry_code
            order by length(industry_map.industry_prefix) desc
        ) as preference
    from industries
    inner join industry_map
        on regexp_extract(industries.industry_code, '[0-9]+', 0)
            like concat(industry_map.industry_prefix, '%')

),

final as (

    select
        industry_code,
        cluster_code
    from candidates
    where preference = 1

)

select * from final
