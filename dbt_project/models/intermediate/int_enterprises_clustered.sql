{{ config(materialized='table') }}

with

registers as (

    select * from {{ ref('stg_raw__enterprises') }}

),

clusters as (

    select * from {{ ref('clusters_33618') }}

),

industry_clusters as (

    select * from {{ ref('int_industries_clustered') }}

),

ranked as (

    select
        *,
        row_number() over (partition by uscc order by period desc, submission_id desc)
            as recency
    from registers

),

latest as (

    select * from ranked
    where recency = 1

),

whitelisting as (

    select uscc, min(period) as first_whitelisted_period
    from registers
    where whitelist
    group by uscc

),

final as (

    select
        latest.uscc,
        latest.name,
        latest.district,
        latest.industry_code,
        latest.industry_division,
        latest.designations,
        latest.listed as is_listed,
        latest.whitelist as is_whitelisted,
        whitelisting.first_whitelisted_period,
        latest.period as register_period,
        -- The register's own cluster wins; otherwise the industry code decides.
        coalesce(named.cluster_code, industry_clusters.cluster_code) as cluster_code,
        case
            when named.cluster_code is not null then 'register'
            when industry_clusters.cluster_code is not null then 'industry_code'
        end as cluster_source
    from latest
    left join clusters as named
        on latest.cluster_33618 = named.cluster_name
            or latest.cluster_33618 = named.cluster_code
    left join industry_clusters
        on latest.industry_code = industry_clusters.industry_code
    left join whitelisting
        on latest.uscc = whitelisting.uscc

)

select * from final
