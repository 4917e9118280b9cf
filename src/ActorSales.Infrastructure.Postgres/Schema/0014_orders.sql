-- Orders (README "Orders and collection"): the latest order each order event carried, projected like the other rows.
-- overdue_from_ticks: the earliest due time of an instalment not fully paid of an open order (NULL: none), so "overdue
-- now" is overdue_from_ticks <= now.
CREATE TABLE actorsales_rm_orders
(
    order_id           text COLLATE "C" PRIMARY KEY,
    customer_id        text COLLATE "C" NOT NULL,
    owner_id           text COLLATE "C" NOT NULL,
    team_id            text COLLATE "C" NOT NULL,
    status             smallint         NOT NULL,
    created_ticks      bigint           NOT NULL,
    overdue_from_ticks bigint           NULL,
    doc                bytea            NOT NULL
);

CREATE INDEX actorsales_rm_orders_created ON actorsales_rm_orders (created_ticks DESC, order_id);
CREATE INDEX actorsales_rm_orders_team ON actorsales_rm_orders (team_id, created_ticks DESC, order_id);
CREATE INDEX actorsales_rm_orders_owner ON actorsales_rm_orders (owner_id, created_ticks DESC, order_id);
CREATE INDEX actorsales_rm_orders_customer ON actorsales_rm_orders (customer_id, created_ticks DESC);
CREATE INDEX actorsales_rm_orders_overdue ON actorsales_rm_orders (overdue_from_ticks) WHERE overdue_from_ticks IS NOT NULL;
