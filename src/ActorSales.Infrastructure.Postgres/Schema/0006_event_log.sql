-- The durable domain event log other services read (gRPC EventsService). One row per event; position is the
-- global read order. Appenders hold a per-service advisory lock from insert to commit, so positions become visible
-- in ascending order and a reader that has seen position N will never later find a smaller one.
CREATE TABLE actorsales_event_log
(
    position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id  varchar(150) NOT NULL,
    entity_type smallint     NOT NULL,
    entity_id   text         NOT NULL,
    sequence    bigint       NOT NULL,
    event_type  text         NOT NULL,
    team_id     text         NOT NULL,
    owner_id    text         NOT NULL,
    occurred_at timestamptz  NOT NULL,
    payload     bytea        NOT NULL,
    -- Appends are idempotent per entity and sequence: a grain replaying its outbox adds nothing.
    CONSTRAINT actorsales_event_log_entity_sequence UNIQUE (service_id, entity_type, entity_id, sequence)
);

CREATE INDEX actorsales_event_log_by_time ON actorsales_event_log (service_id, occurred_at);

-- How far retention has removed events: a reader whose cursor is below trimmed_through has lost events.
CREATE TABLE actorsales_event_log_meta
(
    service_id      varchar(150) PRIMARY KEY,
    trimmed_through bigint       NOT NULL DEFAULT 0,
    trimmed_before  timestamptz  NULL
);
