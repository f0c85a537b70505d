with

shares as (

    select * from {{ ref('risk_sharing') }}

),

final as (

    select
        year,
        party,
        max(party_name) as party_name,
        max(party_order) as party_order,
        count(*) as cases,
        sum(loss_amount) as losses,
        sum(amount) as amount
    from shares
    group by year, party

)

select * from final
