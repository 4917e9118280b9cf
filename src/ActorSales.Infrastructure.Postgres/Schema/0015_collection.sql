-- Collection figures, collected-amount goals, cycle times to first payment and commission (README "Orders and
-- collection") read an order's payments and open instalments as rows, projected with the order each order event carries
-- (every order event rewrites its order's rows). Orders keep their currency and total for days sales outstanding.
-- A database projected before 0015 fills them with `actorsales rebuild-read-model`.
ALTER TABLE actorsales_rm_orders
    ADD COLUMN currency text COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN total    numeric(22, 2)   NOT NULL DEFAULT 0;

CREATE TABLE actorsales_rm_payments
(
    order_id       text COLLATE "C" NOT NULL,
    payment_id     text COLLATE "C" NOT NULL,
    customer_id    text COLLATE "C" NOT NULL,
    owner_id       text COLLATE "C" NOT NULL,
    team_id        text COLLATE "C" NOT NULL,
    currency       text COLLATE "C" NOT NULL,
    amount         numeric(22, 2)   NOT NULL,
    received_ticks bigint           NOT NULL,
    recorded_ticks bigint           NOT NULL,
    reversed_ticks bigint           NULL,
    PRIMARY KEY (order_id, payment_id)
);

CREATE INDEX actorsales_rm_payments_owner ON actorsales_rm_payments (owner_id, received_ticks);
CREATE INDEX actorsales_rm_payments_team ON actorsales_rm_payments (team_id, received_ticks);
CREATE INDEX actorsales_rm_payments_received ON actorsales_rm_payments (received_ticks);
CREATE INDEX actorsales_rm_payments_recorded ON actorsales_rm_payments (recorded_ticks);
CREATE INDEX actorsales_rm_payments_reversed ON actorsales_rm_payments (reversed_ticks) WHERE reversed_ticks IS NOT NULL;

-- Only what is owed: instalments of open orders with something outstanding (a payment or a cancellation deletes them).
CREATE TABLE actorsales_rm_receivables
(
    order_id    text COLLATE "C" NOT NULL,
    number      integer          NOT NULL,
    owner_id    text COLLATE "C" NOT NULL,
    team_id     text COLLATE "C" NOT NULL,
    currency    text COLLATE "C" NOT NULL,
    due_ticks   bigint           NOT NULL,
    outstanding numeric(22, 2)   NOT NULL,
    PRIMARY KEY (order_id, number)
);

CREATE INDEX actorsales_rm_receivables_owner ON actorsales_rm_receivables (owner_id);
CREATE INDEX actorsales_rm_receivables_team ON actorsales_rm_receivables (team_id);
