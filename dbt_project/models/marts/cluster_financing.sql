with

clusters as (

    select * from {{ ref('clusters_33618') }}

),

loan_industries as (

    select * from {{ ref('int_loan_industries_aggregated') }}

),

industry_clusters as (

    select * from {{ ref('int_industries_clustered') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_clustered') }}

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

loan_clusters as (

    -- Loans follow the borrower's industry code (the loan file carries no cluster).
    select
        loan_industries.period,
        industry_clusters.cluster_code,
        sum(loan_industries.balance_cny) as loans,
        sum(case when loan_industries.is_manufacturing then loan_industries.balance_cny
            else 0
        end) as mfg_loans,
        sum(case when loan_industries.is_manufacturing and loan_industries.is_medium_long_term
                then loan_industries.balance_cny
            else 0
        end) as mfg_mlt_loans,
        sum(case when loan_industries.is_manufacturing and loan_industries.is_credit
                then loan_industries.balance_cny
            else 0
        end) as mfg_credit_loans
    from loan_industries
    inner join industry_clusters
        on loan_industries.industry_code = industry_clusters.industry_code
    group by loan_industries.period, industry_clusters.cluster_code

),

bond_clusters as (

    -- Bonds, funds and listings follow the enterprise's cluster in the register.
    select
        bonds.period,
        enterprises.cluster_code,
        count(*) as bonds_issued,
        sum(bonds.amount_cny) as bond_amount
    from bonds
    inner join enterprises
        on bonds.issuer_uscc = enterprises.uscc
    group by bonds.period, enterprises.cluster_code

),

fund_clusters as (

    select
        fund_investments.period,
        enterprises.cluster_code,
        count(*) as fund_deals,
        sum(fund_investments.amount_cny) as fund_amount
    from fund_investments
    inner join enterprises
        on fund_investments.investee_uscc = enterprises.uscc
    group by fund_investments.period, enterprises.cluster_code

),

ipo_clusters as (

    select
        ipos.period,
        enterprises.cluster_code,
        count(distinct case when ipos.stage = '签署IPO协议' then ipos.enterprise_uscc end)
            as ipo_agreements,
        count(distinct case when ipos.stage = '辅导备案' then ipos.enterprise_uscc end)
            as ipo_tutoring_filings,
        count(distinct case when ipos.stage = '申报受理' then ipos.enterprise_uscc end)
            as ipo_applications,
        count(distinct case when ipos.stage = '注册' then ipos.enterprise_uscc end)
            as ipo_registrations,
        count(distinct case when ipos.stage = '上市' then ipos.enterprise_uscc end) as listings
    from ipos
    inner join enterprises
        on ipos.enterprise_uscc = enterprises.uscc
    group by ipos.period, enterprises.cluster_code

),

periods as (

    select period from loan_industries
    union
    select period from bonds
    union
    select period from fund_investments
    union
    select period from ipos

),

spine as (

    select
        clusters.cluster_code,
        clusters.cluster_name,
        clusters.tier,
        periods.period
    from clusters
    cross join periods

),

final as (

    select
        spine.cluster_code,
        spine.cluster_name,
        spine.tier,
        spine.period,
        cast(coalesce(loan_clusters.loans, 0) as decimal(20, 2)) as loans,
        cast(coalesce(loan_clusters.mfg_loans, 0) as decimal(20, 2)) as mfg_loans,
        cast(coalesce(loan_clusters.mfg_mlt_loans, 0) as decimal(20, 2)) as mfg_mlt_loans,
        cast(coalesce(loan_clusters.mfg_credit_loans, 0) as decimal(20, 2))
            as mfg_credit_loans,
        {{ safe_ratio('loan_clusters.mfg_mlt_loans', 'loan_clusters.mfg_loans') }}
            as mfg_mlt_share,
        {{ safe_ratio('loan_clusters.mfg_credit_loans', 'loan_clusters.mfg_loans') }}
            as mfg_credit_share,
        coalesce(bond_clusters.bonds_issued, 0) as bonds_issued,
        cast(coalesce(bond_clusters.bond_amount, 0) as decimal(20, 2)) as bond_amount,
        coalesce(fund_clusters.fund_deals, 0) as fund_deals,
        cast(coalesce(fund_clusters.fund_amount, 0) as decimal(20, 2)) as fund_amount,
        coalesce(ipo_clusters.ipo_agreements, 0) as ipo_agreements,
        coalesce(ipo_clusters.ipo_tutoring_filings, 0) as ipo_tutoring_filings,
        coalesce(ipo_clusters.ipo_applications, 0) as ipo_applications,
        coalesce(ipo_clusters.ipo_registrations, 0) as ipo_registrations,
        coalesce(ipo_clusters.listings, 0) as listings
    from spine
    left join loan_clusters
        on spine.cluster_code = loan_clusters.cluster_code
            and spine.period = loan_clusters.period
    left join bond_clusters
        on spine.cluster_code = bond_clusters.cluster_code
            and spine.period = bond_clusters.period
    left join fund_clusters
        on spine.cluster_code = fund_clusters.cluster_code
            and spine.period = fund_clusters.period
    left join ipo_clusters
        on spine.cluster_code = ipo_clusters.cluster_code
            and spine.period = ipo_clusters.period

)

select * from final
