with

current_bonds as (

    {{ current_rows(source('raw', 'bonds')) }}

),

newest as (

    {{ newest_per('current_bonds', 'filing_id') }}

),

final as (

    select
        submission_id,
        filing_id,
        issuer_uscc,
        issuer_name,
        bond_name,
        bond_type,
        labels,
        coalesce(labels like '%科技创新%' or labels like '%科创票据%', false)
            as is_tech_innovation,
        coalesce(labels like '%绿色%', false) as is_green,
        market,
        issue_date,
        report_period as period,
        term_years,
        amount,
        currency,
        coupon_rate,
        lead_underwriter
    from newest

)

select * from final
