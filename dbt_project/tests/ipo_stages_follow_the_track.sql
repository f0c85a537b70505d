{#- An enterprise's IPO-track stages, across every current file, come in the track's order:
    no stage is dated before a stage that precedes it (签署IPO协议 → 辅导备案 → 申报受理 → 注册 →
    上市). The gate checks this within one file (IP-E-013); this warns across files. -#}
{{ config(severity='warn') }}

with

stages as (

    select * from {{ ref('int_ipo_stages_reached') }}

)

select
    later.enterprise_uscc,
    earlier.stage as earlier_stage,
    earlier.reached_on as earlier_reached_on,
    later.stage as later_stage,
    later.reached_on as later_reached_on
from stages as later
inner join stages as earlier
    on later.enterprise_uscc = earlier.enterprise_uscc
        and earlier.stage_rank < later.stage_rank
        and earlier.reached_on > later.reached_on
