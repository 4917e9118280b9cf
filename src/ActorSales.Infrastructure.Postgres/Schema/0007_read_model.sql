-- The read side (issue 13): query rows projected from the event log, the permanent history, and the projector's
-- checkpoint. One read model per database. Each row keeps the published contract message (payload) as the shared
-- projection (ActorSales.ReadModel.Projection) left it, plus the columns of its shared row (Rows.cs) that the queries
-- filter, sort and search on, so this store and the in-memory one agree to the row. Text that is compared or sorted
-- is COLLATE "C" (code point order, as the shared keyset compares ordinally), so paging does not depend on the
-- server's locale. Times are UTC ticks (bigint; 0 when unset), the numbers the shared SortKey pages by.
--
-- Search: pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may create it without superuser.
-- Under the C / POSIX ctype (what deploy/postgres.sh creates) pg_trgm extracts no trigrams from CJK text at all, and
-- under any locale a two-character Chinese word has no trigram; so CJK text also gets its own character unigrams and
-- bigrams in search_grams (GIN, array containment). The query always rechecks with strpos on the normalised columns
-- (SearchNormalizer), so results are exact whichever index narrows them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE actorsales_rm_customers
(
    customer_id       text COLLATE "C" PRIMARY KEY,
    payload           bytea            NOT NULL,
    team_id           text COLLATE "C" NOT NULL,
    owner_id          text COLLATE "C" NOT NULL,
    tier              smallint         NOT NULL,
    -- SearchNormalizer.Text of the industry: the filter ignores case and spacing.
    industry          text COLLATE "C" NOT NULL,
    source_channel    smallint         NOT NULL,
    in_pool           boolean          NOT NULL,
    locked            boolean          NOT NULL,
    release_warned    boolean          NOT NULL,
    -- UTC ticks; NULL when never followed up (sorts as 0, the earliest, and counts as "before" any time).
    last_follow_up_ticks bigint        NULL,
    created_ticks     bigint           NOT NULL,
    -- CustomerRow.SortName: the normalised name.
    sort_name         text COLLATE "C" NOT NULL,
    -- CustomerRow.SearchText (normalised name, company, contact names and emails, one per line) and SearchDigits
    -- (contact phones as digits, one per line).
    search_text       text COLLATE "C" NOT NULL,
    search_digits     text COLLATE "C" NOT NULL,
    -- Unigrams and bigrams of the CJK (non-ASCII) runs of search_text.
    search_grams      text[]           NOT NULL,
    version           bigint           NOT NULL
);

-- Keyset sorts, alone (everything scope) and under the scope columns (team for managers, owner for reps).
CREATE INDEX actorsales_rm_customers_created ON actorsales_rm_customers (created_ticks, customer_id);
CREATE INDEX actorsales_rm_customers_follow_up ON actorsales_rm_customers ((coalesce(last_follow_up_ticks, 0)), customer_id);
CREATE INDEX actorsales_rm_customers_name ON actorsales_rm_customers (sort_name, customer_id);
CREATE INDEX actorsales_rm_customers_team_created ON actorsales_rm_customers (team_id, created_ticks, customer_id);
CREATE INDEX actorsales_rm_customers_team_follow_up ON actorsales_rm_customers (team_id, (coalesce(last_follow_up_ticks, 0)), customer_id);
CREATE INDEX actorsales_rm_customers_team_name ON actorsales_rm_customers (team_id, sort_name, customer_id);
CREATE INDEX actorsales_rm_customers_owner_created ON actorsales_rm_customers (owner_id, created_ticks, customer_id);
CREATE INDEX actorsales_rm_customers_owner_follow_up ON actorsales_rm_customers (owner_id, (coalesce(last_follow_up_ticks, 0)), customer_id);
CREATE INDEX actorsales_rm_customers_owner_name ON actorsales_rm_customers (owner_id, sort_name, customer_id);
-- The other filters: few distinct values or rare flags.
CREATE INDEX actorsales_rm_customers_tier ON actorsales_rm_customers (tier, team_id);
CREATE INDEX actorsales_rm_customers_industry ON actorsales_rm_customers (industry, team_id);
CREATE INDEX actorsales_rm_customers_source ON actorsales_rm_customers (source_channel, team_id);
CREATE INDEX actorsales_rm_customers_pool ON actorsales_rm_customers (team_id) WHERE in_pool;
CREATE INDEX actorsales_rm_customers_locked ON actorsales_rm_customers (team_id) WHERE locked;
CREATE INDEX actorsales_rm_customers_release_warned ON actorsales_rm_customers (team_id) WHERE release_warned;
-- Search.
CREATE INDEX actorsales_rm_customers_search ON actorsales_rm_customers USING gin (search_text gin_trgm_ops);
CREATE INDEX actorsales_rm_customers_search_digits ON actorsales_rm_customers USING gin (search_digits gin_trgm_ops);
CREATE INDEX actorsales_rm_customers_search_grams ON actorsales_rm_customers USING gin (search_grams);

CREATE TABLE actorsales_rm_opportunities
(
    opportunity_id    text COLLATE "C" PRIMARY KEY,
    payload           bytea            NOT NULL,
    customer_id       text COLLATE "C" NOT NULL,
    owner_id          text COLLATE "C" NOT NULL,
    -- The region filter is the region of this team (actorsales_rm_teams, at query time), so a team moving region
    -- moves its deals.
    team_id           text COLLATE "C" NOT NULL,
    pipeline_key      text COLLATE "C" NOT NULL,
    stage             text COLLATE "C" NOT NULL,
    status            smallint         NOT NULL,
    stall_level       smallint         NOT NULL,
    signal            smallint         NOT NULL,
    currency          text COLLATE "C" NOT NULL,
    -- OpportunityRow.Amount: 0 when the deal has no (readable) value.
    amount            numeric          NOT NULL,
    -- UTC ticks; 0 when unset.
    expected_close_ticks bigint        NOT NULL,
    stage_entered_ticks  bigint        NOT NULL,
    version           bigint           NOT NULL
);

CREATE INDEX actorsales_rm_opportunities_amount ON actorsales_rm_opportunities (amount, opportunity_id);
CREATE INDEX actorsales_rm_opportunities_close ON actorsales_rm_opportunities (expected_close_ticks, opportunity_id);
CREATE INDEX actorsales_rm_opportunities_in_stage ON actorsales_rm_opportunities ((-stage_entered_ticks), opportunity_id);
CREATE INDEX actorsales_rm_opportunities_team_amount ON actorsales_rm_opportunities (team_id, amount, opportunity_id);
CREATE INDEX actorsales_rm_opportunities_team_close ON actorsales_rm_opportunities (team_id, expected_close_ticks, opportunity_id);
CREATE INDEX actorsales_rm_opportunities_team_in_stage ON actorsales_rm_opportunities (team_id, (-stage_entered_ticks), opportunity_id);
CREATE INDEX actorsales_rm_opportunities_owner_amount ON actorsales_rm_opportunities (owner_id, amount, opportunity_id);
CREATE INDEX actorsales_rm_opportunities_owner_close ON actorsales_rm_opportunities (owner_id, expected_close_ticks, opportunity_id);
CREATE INDEX actorsales_rm_opportunities_owner_in_stage ON actorsales_rm_opportunities (owner_id, (-stage_entered_ticks), opportunity_id);
CREATE INDEX actorsales_rm_opportunities_customer ON actorsales_rm_opportunities (customer_id, expected_close_ticks, opportunity_id);
CREATE INDEX actorsales_rm_opportunities_pipeline_stage ON actorsales_rm_opportunities (pipeline_key, stage, team_id);
CREATE INDEX actorsales_rm_opportunities_status ON actorsales_rm_opportunities (status, team_id);
CREATE INDEX actorsales_rm_opportunities_stalled ON actorsales_rm_opportunities (stall_level, team_id) WHERE stall_level <> 0;
CREATE INDEX actorsales_rm_opportunities_signal ON actorsales_rm_opportunities (signal, team_id);
CREATE INDEX actorsales_rm_opportunities_currency ON actorsales_rm_opportunities (currency, amount);

CREATE TABLE actorsales_rm_teams
(
    team_id    text COLLATE "C" PRIMARY KEY,
    payload    bytea            NOT NULL,
    -- SearchNormalizer.Text of the region: filters ignore case and spacing.
    region     text COLLATE "C" NOT NULL,
    -- The owner scope sees the team of which it is the manager or a member.
    manager_id text COLLATE "C" NOT NULL,
    member_ids text[] COLLATE "C" NOT NULL,
    sort_name  text COLLATE "C" NOT NULL,
    version    bigint           NOT NULL
);

CREATE INDEX actorsales_rm_teams_region ON actorsales_rm_teams (region, team_id);
CREATE INDEX actorsales_rm_teams_manager ON actorsales_rm_teams (manager_id);
CREATE INDEX actorsales_rm_teams_members ON actorsales_rm_teams USING gin (member_ids);

CREATE TABLE actorsales_rm_salespeople
(
    salesperson_id text COLLATE "C" PRIMARY KEY,
    payload        bytea            NOT NULL,
    team_id        text COLLATE "C" NOT NULL,
    role           smallint         NOT NULL,
    status         smallint         NOT NULL,
    sort_name      text COLLATE "C" NOT NULL,
    version        bigint           NOT NULL
);

CREATE INDEX actorsales_rm_salespeople_name ON actorsales_rm_salespeople (sort_name, salesperson_id);
CREATE INDEX actorsales_rm_salespeople_team ON actorsales_rm_salespeople (team_id, sort_name, salesperson_id);
CREATE INDEX actorsales_rm_salespeople_role ON actorsales_rm_salespeople (role, status, team_id);
CREATE INDEX actorsales_rm_salespeople_status ON actorsales_rm_salespeople (status, team_id);

-- Every event ever applied, kept forever (the event log keeps 72 h): the timelines and the rebuild read it.
CREATE TABLE actorsales_rm_history
(
    position    bigint           NOT NULL,
    entity_type smallint         NOT NULL,
    entity_id   text COLLATE "C" NOT NULL,
    sequence    bigint           NOT NULL,
    occurred_at timestamptz      NOT NULL,
    actor_id    text COLLATE "C" NOT NULL,
    event_type  text COLLATE "C" NOT NULL,
    -- The timelines that show the event (Projection.History): the customer itself, or an opportunity's (or a task's
    -- opportunity's) customer; and the opportunity itself, or a task's opportunity. Else null.
    customer_id    text COLLATE "C" NULL,
    opportunity_id text COLLATE "C" NULL,
    -- The DomainEvent protobuf.
    payload     bytea            NOT NULL,
    PRIMARY KEY (entity_type, entity_id, sequence)
);

CREATE UNIQUE INDEX actorsales_rm_history_position ON actorsales_rm_history (position);
CREATE INDEX actorsales_rm_history_customer ON actorsales_rm_history (customer_id, position) WHERE customer_id IS NOT NULL;
CREATE INDEX actorsales_rm_history_opportunity ON actorsales_rm_history (opportunity_id, position) WHERE opportunity_id IS NOT NULL;

-- The log position the rows and the history have applied through; one row, locked by every apply and rebuild.
CREATE TABLE actorsales_rm_checkpoint
(
    id       smallint PRIMARY KEY CHECK (id = 1),
    position bigint   NOT NULL
);

INSERT INTO actorsales_rm_checkpoint (id, position) VALUES (1, 0);
