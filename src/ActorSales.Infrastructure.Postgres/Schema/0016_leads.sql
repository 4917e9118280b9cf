-- Leads (README "Leads"): the latest lead each lead event carried, projected like the orders. arrived_ticks orders
-- ListLeads (newest arrival first) and bounds lead health's periods; invalid and unsubscribed are lead health's counts.
CREATE TABLE actorsales_rm_leads
(
    lead_id        text COLLATE "C" PRIMARY KEY,
    team_id        text COLLATE "C" NOT NULL,
    owner_id       text COLLATE "C" NOT NULL,
    status         smallint         NOT NULL,
    source_channel smallint         NOT NULL,
    arrived_ticks  bigint           NOT NULL,
    invalid        boolean          NOT NULL,
    unsubscribed   boolean          NOT NULL,
    doc            bytea            NOT NULL
);

CREATE INDEX actorsales_rm_leads_arrived ON actorsales_rm_leads (arrived_ticks DESC, lead_id);
CREATE INDEX actorsales_rm_leads_team ON actorsales_rm_leads (team_id, arrived_ticks DESC, lead_id);
CREATE INDEX actorsales_rm_leads_owner ON actorsales_rm_leads (owner_id, arrived_ticks DESC, lead_id);
CREATE INDEX actorsales_rm_leads_unsubscribed ON actorsales_rm_leads (team_id) WHERE unsubscribed;
