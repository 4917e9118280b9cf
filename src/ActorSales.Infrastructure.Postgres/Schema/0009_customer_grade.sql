-- Customer grading (issue 14): the computed grade (CustomerGrade: 0 not computed yet, 1 A+, 2 A, 3 B, 4 C) as a
-- column of the customer rows, so ListCustomers filters on it (grade = C is the managers' intervention list).
-- Rows projected before this migration hold 0 until their customer's next grade event (every stored customer is
-- graded on its first activation after the upgrade) or a rebuild-read-model. Numbered 0009: 0008 is kept for another
-- change in flight (analytics); the migrator applies scripts by version, each once, whatever order they arrive in.
ALTER TABLE actorsales_rm_customers ADD COLUMN IF NOT EXISTS grade smallint NOT NULL DEFAULT 0;

-- The intervention list per team (and everything-scope lists by grade).
CREATE INDEX IF NOT EXISTS actorsales_rm_customers_grade ON actorsales_rm_customers (grade, team_id);
