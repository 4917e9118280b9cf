-- The customers' search columns move to a table of their own (issue 13's benchmark): an activity changes a customer's
-- follow-up time, an indexed column, so every activity was a non-HOT update of the customer row, which inserts into
-- every index of the table, the three GIN search indexes (about a hundred trigram entries per customer) included; they
-- made two thirds of the cost of applying an activity. The search row changes only when the searchable text does
-- (registration, update), so activities no longer touch it. Same columns, same indexes, same semantics
-- (see 0007_read_model.sql); rows written by the previous release are moved, not rebuilt.
CREATE TABLE actorsales_rm_customer_search
(
    customer_id   text COLLATE "C" PRIMARY KEY,
    search_text   text COLLATE "C" NOT NULL,
    search_digits text COLLATE "C" NOT NULL,
    search_grams  text[]           NOT NULL
);

INSERT INTO actorsales_rm_customer_search (customer_id, search_text, search_digits, search_grams)
SELECT customer_id, search_text, search_digits, search_grams FROM actorsales_rm_customers;

DROP INDEX actorsales_rm_customers_search;
DROP INDEX actorsales_rm_customers_search_digits;
DROP INDEX actorsales_rm_customers_search_grams;
ALTER TABLE actorsales_rm_customers DROP COLUMN search_text, DROP COLUMN search_digits, DROP COLUMN search_grams;

CREATE INDEX actorsales_rm_customer_search_text ON actorsales_rm_customer_search USING gin (search_text gin_trgm_ops);
CREATE INDEX actorsales_rm_customer_search_digits ON actorsales_rm_customer_search USING gin (search_digits gin_trgm_ops);
CREATE INDEX actorsales_rm_customer_search_grams ON actorsales_rm_customer_search USING gin (search_grams);
