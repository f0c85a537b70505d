with

enterprises as (

    select * from {{ ref('int_enterprises_clustered') }}

),

clusters as (

    select * from {{ ref('clusters_33618') }}

),

loans as (

    select * from {{ ref('int_loans_classified') }}

),

loan_industries as (

    select * from {{ ref('int_loan_industries_aggregated') }}

),

banks as (

    select * from {{ ref('banks') }}

),

bonds as (

    select * from {{ ref('int_bonds_converted') }}

),

fund_investments as (

    select * from {{ ref('int_fund_investments_converted') }}

),

stages as (

    select * from {{ ref('int_ipo_stages_reached') }}

),

register_loans as (

    -- One month's lines are read: the latest month-end, and only the register's borrowers.
    select
        loans.borrower_uscc,
        loans.bank_code,
        loans.issue_date,
        loans.balance_in_cny as balance_cny
    from loans
    where loans.period = (select max(period) from loan_industries)
        and loans.borrower_uscc in (select uscc from enterprises)

),

loans_by_bank as (

    select
        register_loans.borrower_uscc,
        register_loans.bank_code,
        banks.bank_name,
        sum(register_loans.balance_cny) as balance_cny,
        max(register_loans.issue_date) as last_issued
    from register_loans
    left join banks
        on register_loans.bank_code = banks.bank_code
    group by register_loans.borrower_uscc, register_loans.bank_code, banks.bank_name

),

loan_summary as (

    select
        borrower_uscc as uscc,
        cast(sum(balance_cny) as decimal(20, 2)) as loan_balance,
        count(*) as lending_banks,
        {{ ordered_list(
            "concat(coalesce(bank_name, bank_code), ' ', cast(balance_cny as string))",
            '；',
            'balance_cny desc'
        ) }}
            as loan_balance_by_bank,
        max(last_issued) as last_loan_issued
    from loans_by_bank
    group by borrower_uscc

),

bond_summary as (

    select
        issuer_uscc as uscc,
        count(*) as bonds_issued,
        cast(sum(amount_cny) as decimal(20, 2)) as bond_amount,
        max(issue_date) as last_bond_issued
    from bonds
    group by issuer_uscc

),

fund_summary as (

    select
        investee_uscc as uscc,
        count(*) as fund_deals,
        cast(sum(amount_cny) as decimal(20, 2)) as fund_amount,
        max(invest_date) as last_fund_received
    from fund_investments
    group by investee_uscc

),

ipo_summary as (

    select
        enterprise_uscc as uscc,
        max_by(stage, stage_rank) as ipo_stage_reached,
        max(reached_on) as ipo_stage_date,
        cast(sum(reward_yuan) as decimal(20, 2)) as ipo_rewards_due
    from stages
    group by enterprise_uscc

),

final as (

    select
        enterprises.uscc,
        enterprises.name,
        enterprises.district,
        enterprises.industry_code,
        enterprises.cluster_code,
        clusters.cluster_name,
        enterprises.cluster_source,
        enterprises.designations,
        enterprises.is_listed,
        enterprises.is_whitelisted,
        enterprises.first_whitelisted_period,
        enterprises.register_period,
        coalesce(loan_summary.loan_balance, 0) as loan_balance,
        coalesce(loan_summary.lending_banks, 0) as lending_banks,
        loan_summary.loan_balance_by_bank,
        coalesce(bond_summary.bonds_issued, 0) as bonds_issued,
        coalesce(bond_summary.bond_amount, 0) as bond_amount,
        coalesce(fund_summary.fund_deals, 0) as fund_deals,
        coalesce(fund_summary.fund_amount, 0) as fund_amount,
        ipo_summary.ipo_stage_reached,
        ipo_summary.ipo_stage_date,
        coalesce(ipo_summary.ipo_rewards_due, 0) as ipo_rewards_due,
        -- 融资需求白名单: financed after the month the enterprise was first whitelisted.
        enterprises.first_whitelisted_period is not null and coalesce(
            loan_summary.last_loan_issued
            > {{ month_end_before('enterprises.first_whitelisted_period', 1) }}
            or bond_summary.last_bond_issued
            > {{ month_end_before('enterprises.first_whitelisted_period', 1) }}
            or fund_summary.last_fund_received
            > {{ month_end_before('enterprises.first_whitelisted_period', 1) }},
            false
        ) as financed_since_whitelisted
    from enterprises
    left join clusters
        on enterprises.cluster_code = clusters.cluster_code
    left join loan_summary
        on enterprises.uscc = loan_summary.uscc
    left join bond_summary
        on enterprises.uscc = bond_summary.uscc
    left join fund_summary
        on enterprises.uscc = fund_summary.uscc
    left join ipo_summary
        on enterprises.uscc = ipo_summary.uscc

)

select * from final
