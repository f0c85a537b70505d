with

current_deals as (

    {{ current_rows(source('raw', 'fund_investments')) }}

),

newest as (

    {{ newest_per('current_deals', 'deal_id') }}

),

final as (

    select
        submission_id,
        deal_id,
        fund_name,
        fund_type,
        fund_manager,
        investee_uscc,
        investee_name,
        invest_date,
        report_period as period,
        amount,
        coalesce(currency, 'CNY') as currency,
        is_return_investment
    from newest

)

select * from final
