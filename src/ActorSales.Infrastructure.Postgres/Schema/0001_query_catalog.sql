-- The Orleans ADO.NET providers look their SQL up by key in a table named OrleansQuery
-- (columns QueryKey, QueryText). Later migrations upsert into it, so a query can be revised
-- by a new migration without touching the tables it reads.
CREATE TABLE orleansquery
(
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);
