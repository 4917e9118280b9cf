-- Grain state (Microsoft.Orleans.Persistence.AdoNet). One row per (service, grain type, grain id); the version
-- column is the ETag: a write names the version it read and succeeds only if the row is still at it.
CREATE TABLE actorsales_grain_state
(
    service_id         varchar(150) NOT NULL,
    grain_type_hash    integer      NOT NULL,
    grain_id_hash      integer      NOT NULL,
    grain_id_n0        bigint       NOT NULL,
    grain_id_n1        bigint       NOT NULL,
    grain_type         varchar(512) NOT NULL,
    -- '' when the grain id has no string extension, so the key needs no nullable column.
    grain_id_extension varchar(512) NOT NULL DEFAULT '',
    -- ActorSales stores grain state in Orleans' binary format (see the host's storage configuration).
    payload_binary     bytea,
    version            integer      NOT NULL,
    modified_at        timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, grain_id_extension)
);

INSERT INTO orleansquery (querykey, querytext) VALUES
-- Returns the stored payload and version; no row means the grain has no state yet.
-- Column order (binary, xml, json, time, version) is what the provider reads.
('ReadFromStorageKey', $q$
SELECT payload_binary AS PayloadBinary, NULL::text AS PayloadXml, NULL::text AS PayloadJson,
       modified_at AS ModifiedOn, version AS Version
FROM actorsales_grain_state
WHERE service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '');
$q$),

-- With a version: update only if the row is still at it (returns version + 1). Without one (never read
-- or cleared): insert only if no row exists (returns 1). Otherwise it returns the version it was given,
-- which the provider reports as an InconsistentStateException.
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE actorsales_grain_state
    SET payload_binary = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
      AND version = @GrainStateVersion
    RETURNING version),
created AS (
    INSERT INTO actorsales_grain_state
        (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, grain_id_extension,
         payload_binary, version)
    SELECT @ServiceId, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeString,
           coalesce(@GrainIdExtensionString, ''), @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version)
SELECT coalesce((SELECT version FROM updated), (SELECT version FROM created), @GrainStateVersion) AS NewGrainStateVersion;
$q$),

-- Clearing keeps the row (and so the version sequence) but drops the payload.
('ClearStorageKey', $q$
UPDATE actorsales_grain_state
SET payload_binary = NULL, version = version + 1, modified_at = now()
WHERE service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
  AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion;
$q$),

-- Used only with DeleteStateOnClear: removes the row when it is still at the expected version.
('DeleteStorageKey', $q$
DELETE FROM actorsales_grain_state
WHERE service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
  AND version = @GrainStateVersion
RETURNING NULL::integer AS NewGrainStateVersion;
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
