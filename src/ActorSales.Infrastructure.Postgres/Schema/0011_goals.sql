-- Goals (README "Analytics", goals): the latest GoalSet of each (team, goal key), projected from the team's events.
-- A rebuild empties and re-derives the table from the permanent history like the other read-model rows.
CREATE TABLE actorsales_rm_goals
(
    team_id    text COLLATE "C" NOT NULL,
    goal_key   text COLLATE "C" NOT NULL,
    owner_id   text COLLATE "C" NOT NULL,
    from_ticks bigint           NOT NULL,
    to_ticks   bigint           NOT NULL,
    doc        bytea            NOT NULL,
    PRIMARY KEY (team_id, goal_key)
);

CREATE INDEX actorsales_rm_goals_owner ON actorsales_rm_goals (owner_id, from_ticks);
