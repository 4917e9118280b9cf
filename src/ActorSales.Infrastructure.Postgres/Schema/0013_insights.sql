-- Insights (README "Analytics", anomalies and forecast history), projected from the teams' events. A rebuild empties
-- and re-derives both tables from the permanent history like the other read-model rows.

-- The latest state of each anomaly (detected, then perhaps cleared): ListAnomalies and the board, newest first.
CREATE TABLE actorsales_rm_anomalies
(
    team_id        text COLLATE "C" NOT NULL,
    anomaly_id     text COLLATE "C" NOT NULL,
    owner_id       text COLLATE "C" NOT NULL,
    detected_ticks bigint           NOT NULL,
    status         smallint         NOT NULL,
    doc            bytea            NOT NULL,
    PRIMARY KEY (team_id, anomaly_id)
);

CREATE INDEX actorsales_rm_anomalies_detected ON actorsales_rm_anomalies (detected_ticks DESC, team_id, anomaly_id);
CREATE INDEX actorsales_rm_anomalies_team ON actorsales_rm_anomalies (team_id, detected_ticks DESC, anomaly_id);
CREATE INDEX actorsales_rm_anomalies_owner ON actorsales_rm_anomalies (owner_id, detected_ticks DESC);

-- Weekly forecast snapshot rows (a rep's, or the team's with an empty owner, per currency).
CREATE TABLE actorsales_rm_forecast_weeks
(
    team_id           text COLLATE "C" NOT NULL,
    week_start        text COLLATE "C" NOT NULL,
    owner_id          text COLLATE "C" NOT NULL,
    currency          text COLLATE "C" NOT NULL,
    taken_ticks       bigint           NOT NULL,
    window_from_ticks bigint           NOT NULL,
    window_to_ticks   bigint           NOT NULL,
    doc               bytea            NOT NULL,
    PRIMARY KEY (team_id, week_start, owner_id, currency)
);

CREATE INDEX actorsales_rm_forecast_weeks_owner ON actorsales_rm_forecast_weeks (owner_id, taken_ticks);
CREATE INDEX actorsales_rm_forecast_weeks_taken ON actorsales_rm_forecast_weeks (taken_ticks);

-- A row's won figures read the won deals of its owner or team by close time (0008's actorsales_rm_opportunities_owner_won
-- and _team_won).
