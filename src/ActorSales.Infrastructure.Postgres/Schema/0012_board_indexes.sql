-- The live board (README "Analytics", live board) at size: issue 14 asks for a team board within 100 ms p99 with
-- 1,000,000 opportunities in the database. The board's lists (deals needing intervention, customers about to be
-- released) are read as "the first 100 and the total" by the store (InterventionsAsync, AboutToReleaseAsync) instead
-- of paging every open deal and every warned customer of the scope through the gateway.
--
-- Whether a deal needs intervention was only in the payload; it becomes a column. Rows projected before this
-- migration read false until their deal next changes: run `actorsales rebuild-read-model` once after upgrading (as
-- after 0008). IF NOT EXISTS throughout, as 0009: the statements are safe to run again.
ALTER TABLE actorsales_rm_opportunities ADD COLUMN IF NOT EXISTS needs_intervention boolean NOT NULL DEFAULT false;

-- Interventions (status 1 = OPPORTUNITY_STATUS_OPEN), longest in stage first, under the scope columns and alone
-- (everything scope): the list walks the index in order and stops at the limit; the count reads only these entries.
CREATE INDEX IF NOT EXISTS actorsales_rm_opportunities_team_interventions
    ON actorsales_rm_opportunities (team_id, stage_entered_ticks, opportunity_id) WHERE needs_intervention AND status = 1;
CREATE INDEX IF NOT EXISTS actorsales_rm_opportunities_owner_interventions
    ON actorsales_rm_opportunities (owner_id, stage_entered_ticks, opportunity_id) WHERE needs_intervention AND status = 1;
CREATE INDEX IF NOT EXISTS actorsales_rm_opportunities_interventions
    ON actorsales_rm_opportunities (stage_entered_ticks, opportunity_id) WHERE needs_intervention AND status = 1;

-- About to release: release-warned customers, earliest follow-up first, the same way. The team one replaces the
-- (team_id) WHERE release_warned index of 0007, whose work it does too (ListCustomers with release_warned).
CREATE INDEX IF NOT EXISTS actorsales_rm_customers_team_release_warned
    ON actorsales_rm_customers (team_id, (coalesce(last_follow_up_ticks, 0)), customer_id) WHERE release_warned;
CREATE INDEX IF NOT EXISTS actorsales_rm_customers_owner_release_warned
    ON actorsales_rm_customers (owner_id, (coalesce(last_follow_up_ticks, 0)), customer_id) WHERE release_warned;
CREATE INDEX IF NOT EXISTS actorsales_rm_customers_all_release_warned
    ON actorsales_rm_customers ((coalesce(last_follow_up_ticks, 0)), customer_id) WHERE release_warned;
DROP INDEX IF EXISTS actorsales_rm_customers_release_warned;

-- The heatmap (open deals counted by pipeline, stage, stall level and age in stage) and the forecast (open deals
-- summed by owner, currency and signal) from the index alone: a team's open deals lie one per heap page (a team's rows
-- are spread over the whole table), so each of the two visited ~3,650 heap pages for 7,000 deals; these cover both
-- queries (index-only, once vacuum has marked the pages all-visible).
CREATE INDEX IF NOT EXISTS actorsales_rm_opportunities_team_open
    ON actorsales_rm_opportunities (team_id, pipeline_key, stage, stall_level, stage_entered_ticks) INCLUDE (owner_id, currency, signal, amount)
    WHERE status = 1;
CREATE INDEX IF NOT EXISTS actorsales_rm_opportunities_owner_open
    ON actorsales_rm_opportunities (owner_id, pipeline_key, stage, stall_level, stage_entered_ticks) INCLUDE (currency, signal, amount)
    WHERE status = 1;

-- The funnel's facts of a team in a period from the index alone (the team's ~4,200 stage entries of a month sat on
-- ~2,000 heap pages). It carries every column the funnel reads, so it is large (about the table's size); it replaces
-- the team index of 0008 with the same key. A rep's funnel (a tenth of a team) keeps the owner index and the heap.
CREATE INDEX IF NOT EXISTS actorsales_rm_stage_facts_team_funnel
    ON actorsales_rm_stage_facts (team_id, pipeline_key, entered_ticks)
    INCLUDE (opportunity_id, entry, customer_id, owner_id, pipeline_version, stage, left_ticks, outcome, to_stage, lost_reason, final_status);
DROP INDEX IF EXISTS actorsales_rm_stage_facts_team;
