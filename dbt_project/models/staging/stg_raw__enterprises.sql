with

current_registers as (

    {{ current_rows(source('raw', 'enterprises')) }}

),

final as (

    select
        submission_id,
        uscc,
        name,
        district,
        industry_code,
        industry_division,
        cluster_33618,
        designations,
        listed,
        whitelist,
        as_of,
        report_period as period
    from current_registers

)

select * from final
