with

pushes as (

    select * from {{ ref('stg_raw__whitelist_pushes') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_clustered') }}

),

banks as (

    select * from {{ ref('banks') }}

),

stages as (

    -- One row per push: the first date it reached each stage (plan 五、(一): the white list
    -- pushed to banks, followed to the loan).
    select
        push_id,
        max(enterprise_uscc) as enterprise_uscc,
        max(bank_code) as bank_code,
        min(push_date) as pushed_on,
        min(case when status = '已对接' then status_date end) as contacted_on,
        min(case when status = '已授信' then status_date end) as approved_on,
        min(case when status = '已放款' then status_date end) as disbursed_on,
        min(case when status = '不符合条件' then status_date end) as declined_on,
        max(case when status = '已授信' then amount end) as approved_amount,
        max(case when status = '已放款' then amount end) as disbursed_amount
    from pushes
    group by push_id

),

final as (

    select
        stages.push_id,
        stages.enterprise_uscc,
        enterprises.name as enterprise_name,
        stages.bank_code,
        banks.bank_name,
        stages.pushed_on,
        stages.contacted_on,
        stages.approved_on,
        stages.disbursed_on,
        stages.declined_on,
        case
            when stages.disbursed_on is not null then '已放款'
            when stages.declined_on is not null then '不符合条件'
            when stages.approved_on is not null then '已授信'
            when stages.contacted_on is not null then '已对接'
            else '已推送'
        end as furthest_stage,
        stages.approved_amount,
        stages.disbursed_amount,
        {{ days_between('stages.pushed_on', 'stages.disbursed_on') }} as days_to_loan
    from stages
    left join enterprises
        on stages.enterprise_uscc = enterprises.uscc
    left join banks
        on stages.bank_code = banks.bank_code

)

select * from final
