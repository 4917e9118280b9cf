-- Query revisions found by running the Orleans 10.4 ADO.NET providers against this schema
-- (tests/ActorSales.Postgres.Tests/OrleansProviderTests). Tables are unchanged; only OrleansQuery rows move.

INSERT INTO orleansquery (querykey, querytext) VALUES
-- Used by storages configured with DeleteStateOnClear. The provider treats an empty result, a NULL and the
-- caller's own ETag alike as a version conflict, so success must report a different, non-null version: the one
-- the row would have had next. No row at the expected version (stale ETag or already gone) returns no row,
-- which the provider reports as InconsistentStateException.
('DeleteStorageKey', $q$
DELETE FROM actorsales_grain_state
WHERE service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
  AND version = @GrainStateVersion
RETURNING version + 1 AS NewGrainStateVersion;
$q$),

-- Orleans 10.4 prunes dead silos row by row: it reads the table, picks the Dead rows whose start, last heartbeat
-- and suspicions all predate the cut-off, and deletes each one passing the StartTime, IAmAliveTime and
-- SuspectTimes it saw. A row goes only if it still holds exactly those values, so a row that changed after
-- the read survives until the next round.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM actorsales_membership
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
  AND status = 6
  AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
  AND coalesce(suspect_times, '') = coalesce(@SuspectTimes, '');
$q$),

-- The set-based fallback (used only if the per-row query above is missing): Dead silos that neither started
-- nor sent a heartbeat since the cut-off.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM actorsales_membership
WHERE deployment_id = @DeploymentId AND status = 6
  AND i_am_alive_time < @IAmAliveTime AND start_time < @IAmAliveTime;
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
