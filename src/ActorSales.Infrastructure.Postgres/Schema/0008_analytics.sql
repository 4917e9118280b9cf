-- Analytics (issue 14: funnel, stall heatmap, cycle times, process and data health) on the read model. The facts are
-- what the shared projection derives (ActorSales.ReadModel.Analytics.AnalyticsFacts, Projection), so this store and the
-- in-memory one hold the same facts; a rebuild (actorsales rebuild-read-model) derives them again from the permanent
-- history. Rows projected before this migration get the defaults below until they next change: run the rebuild once
-- after upgrading to fill them. Every query filters by team or owner (the scope) first, then by time, hence the
-- (team_id | owner_id, time) indexes; the "everything" scope has a time-only index.

-- Customers: first real follow-up ever (UTC ticks), whether the new-customer first-contact deadline fired before it,
-- and the data-health fields present (AnalyticsFacts.Present: a bit per CustomerField).
ALTER TABLE actorsales_rm_customers
    ADD COLUMN first_follow_up_ticks bigint  NULL,
    ADD COLUMN first_contact_missed  boolean NOT NULL DEFAULT false,
    ADD COLUMN present_fields        integer NOT NULL DEFAULT 0;

-- Opportunities: creation, close (won/lost; NULL while open) and last update by its people (NULL: never), UTC ticks;
-- the pipeline version it follows and the distinct evidence kinds it holds (journey penetration).
ALTER TABLE actorsales_rm_opportunities
    ADD COLUMN pipeline_version  integer NOT NULL DEFAULT 0,
    ADD COLUMN created_ticks     bigint NOT NULL DEFAULT 0,
    ADD COLUMN closed_ticks      bigint NULL,
    ADD COLUMN last_update_ticks bigint NULL,
    ADD COLUMN evidence_kinds    text[] COLLATE "C" NOT NULL DEFAULT '{}';

-- Heatmap and late updates: open deals of a team or an owner (the team's is actorsales_rm_opportunities_status).
CREATE INDEX actorsales_rm_opportunities_owner_status ON actorsales_rm_opportunities (owner_id, status);
-- Journey penetration: deals created in a period.
CREATE INDEX actorsales_rm_opportunities_team_created ON actorsales_rm_opportunities (team_id, created_ticks);
CREATE INDEX actorsales_rm_opportunities_owner_created ON actorsales_rm_opportunities (owner_id, created_ticks);
CREATE INDEX actorsales_rm_opportunities_created ON actorsales_rm_opportunities (created_ticks);
-- Cycle times: deals won in a period (status 2 = OPPORTUNITY_STATUS_WON).
CREATE INDEX actorsales_rm_opportunities_team_won ON actorsales_rm_opportunities (team_id, closed_ticks) WHERE status = 2;
CREATE INDEX actorsales_rm_opportunities_owner_won ON actorsales_rm_opportunities (owner_id, closed_ticks) WHERE status = 2;
CREATE INDEX actorsales_rm_opportunities_won ON actorsales_rm_opportunities (closed_ticks) WHERE status = 2;

-- One row per stay of an opportunity in a stage (AnalyticsFacts.StagesOf), rewritten with the opportunity's row.
-- outcome: 0 still there, 1 left for to_stage, 2 won from it, 3 lost in it (lost_reason). final_status: the
-- opportunity's status now. Owner and team are the opportunity's current ones.
CREATE TABLE actorsales_rm_stage_facts
(
    opportunity_id   text COLLATE "C" NOT NULL,
    entry            integer          NOT NULL,
    customer_id      text COLLATE "C" NOT NULL,
    owner_id         text COLLATE "C" NOT NULL,
    team_id          text COLLATE "C" NOT NULL,
    pipeline_key     text COLLATE "C" NOT NULL,
    pipeline_version integer          NOT NULL,
    stage            text COLLATE "C" NOT NULL,
    entered_ticks    bigint           NOT NULL,
    left_ticks       bigint           NULL,
    outcome          smallint         NOT NULL,
    to_stage         text COLLATE "C" NOT NULL,
    lost_reason      text COLLATE "C" NOT NULL,
    final_status     smallint         NOT NULL,
    PRIMARY KEY (opportunity_id, entry)
);

CREATE INDEX actorsales_rm_stage_facts_team ON actorsales_rm_stage_facts (team_id, pipeline_key, entered_ticks);
CREATE INDEX actorsales_rm_stage_facts_owner ON actorsales_rm_stage_facts (owner_id, pipeline_key, entered_ticks);
CREATE INDEX actorsales_rm_stage_facts_entered ON actorsales_rm_stage_facts (pipeline_key, entered_ticks);

-- One row per logged activity (AnalyticsFacts.ActivityOf): who logged it, the customer's team then, whether it is an
-- effective visit (a visit with a summary). kind: the ActivityKind number (1 = visit).
CREATE TABLE actorsales_rm_activity_facts
(
    customer_id    text COLLATE "C" NOT NULL,
    sequence       bigint           NOT NULL,
    kind           smallint         NOT NULL,
    occurred_ticks bigint           NOT NULL,
    effective      boolean          NOT NULL,
    actor_id       text COLLATE "C" NOT NULL,
    team_id        text COLLATE "C" NOT NULL,
    PRIMARY KEY (customer_id, sequence)
);

CREATE INDEX actorsales_rm_activity_facts_team_visits ON actorsales_rm_activity_facts (team_id, occurred_ticks) WHERE kind = 1;
CREATE INDEX actorsales_rm_activity_facts_actor_visits ON actorsales_rm_activity_facts (actor_id, occurred_ticks) WHERE kind = 1;
CREATE INDEX actorsales_rm_activity_facts_visits ON actorsales_rm_activity_facts (occurred_ticks) WHERE kind = 1;

-- One row per registration refused as a duplicate (AnalyticsFacts.RefusalOf), for the intended owner and team.
CREATE TABLE actorsales_rm_refusal_facts
(
    attempt_id     text COLLATE "C" NOT NULL,
    sequence       bigint           NOT NULL,
    occurred_ticks bigint           NOT NULL,
    team_id        text COLLATE "C" NOT NULL,
    owner_id       text COLLATE "C" NOT NULL,
    PRIMARY KEY (attempt_id, sequence)
);

CREATE INDEX actorsales_rm_refusal_facts_team ON actorsales_rm_refusal_facts (team_id, occurred_ticks);
CREATE INDEX actorsales_rm_refusal_facts_owner ON actorsales_rm_refusal_facts (owner_id, occurred_ticks);
CREATE INDEX actorsales_rm_refusal_facts_occurred ON actorsales_rm_refusal_facts (occurred_ticks);
