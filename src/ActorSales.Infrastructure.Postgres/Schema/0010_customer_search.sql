-- The customers' search columns move to a table of their own (issue 13's benchmark): an activity changes a customer's
-- follow-up time, an indexed column, so every activity was a non-HOT update of the customer row, which inserts into
-- every index of the table, the three GIN search indexes (about a hundred trigram entries per customer) included; they
-- made two thirds of the cost of applying an activity. The search row changes only when the searchable text does
-- (registration, update) or the customer changes hands, so activities no longer touch it. Same search columns, same
-- indexes, same semantics (see 0007_read_model.sql); rows written by the previous release are moved, not rebuilt.
--
-- The row also carries the scope columns and the name sort key, so a search is answered from this table alone (the
-- customer row is joined for the page's winners only): a rep's or a manager's search ANDs the team/owner index with
-- the text index instead of fetching every match in the whole book (measured on 1,000,000 customers: a manager's
-- search for a common term fetched 62,499 candidates to keep the 1,251 of their team).
CREATE TABLE actorsales_rm_customer_search
(
    customer_id   text COLLATE "C" PRIMARY KEY,
    team_id       text COLLATE "C" NOT NULL,
    owner_id      text COLLATE "C" NOT NULL,
    sort_name     text COLLATE "C" NOT NULL,
    search_text   text COLLATE "C" NOT NULL,
    search_digits text COLLATE "C" NOT NULL,
    search_grams  text[]           NOT NULL
);

INSERT INTO actorsales_rm_customer_search (customer_id, team_id, owner_id, sort_name, search_text, search_digits, search_grams)
SELECT customer_id, team_id, owner_id, sort_name, search_text, search_digits, search_grams FROM actorsales_rm_customers;

DROP INDEX actorsales_rm_customers_search;
DROP INDEX actorsales_rm_customers_search_digits;
DROP INDEX actorsales_rm_customers_search_grams;
ALTER TABLE actorsales_rm_customers DROP COLUMN search_text, DROP COLUMN search_digits, DROP COLUMN search_grams;

CREATE INDEX actorsales_rm_customer_search_text ON actorsales_rm_customer_search USING gin (search_text gin_trgm_ops);
CREATE INDEX actorsales_rm_customer_search_digits ON actorsales_rm_customer_search USING gin (search_digits gin_trgm_ops);
CREATE INDEX actorsales_rm_customer_search_grams ON actorsales_rm_customer_search USING gin (search_grams);
CREATE INDEX actorsales_rm_customer_search_team ON actorsales_rm_customer_search (team_id);
CREATE INDEX actorsales_rm_customer_search_owner ON actorsales_rm_customer_search (owner_id);
