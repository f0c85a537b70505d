with

finding_counts as (

    select * from {{ source('audit', 'finding_counts') }}

),

final as (

    select
        submission_id,
        rule_id,
        severity,
        occurrences
    from finding_counts

)

select * from final
