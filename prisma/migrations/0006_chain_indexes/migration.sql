-- 0006_chain_indexes: lookups the chain service makes on every batch, by index instead of a scan
-- that grows with the history (docs/performance.md, "Badges").
--
-- The broadcaster stamps the submitter's `anchored` proof:status events with their status_index
-- (server/realtime/catch-up.ts stampStatusEvents: the latest index per proof and status). Without
-- an index on proof_id that read scanned the whole status log (three rows per proof) for every
-- batch of admitted leaves.
CREATE INDEX proof_status_log_proof_idx ON proof_status_log (proof_id, status, status_index);
