-- 0005_status_log: every change of a proof's badge status, numbered in commit order, so a client
-- that dropped can replay the proof:status events it missed (subscribe {status_since};
-- docs/operations.md, "Reconnect catch-up"). Triggers on proofs keep it, whoever changes a status
-- (the chain submitter, the commit follower, anything later): no writer has to remember it.

CREATE TABLE proof_status_log (
  status_index bigserial PRIMARY KEY,
  proof_id     text NOT NULL REFERENCES proofs (id),
  hub          text NOT NULL,
  -- The proof's thread room: a post is its own thread; replies, reactions, moderation name theirs.
  thread       text,
  status       text NOT NULL,
  changed_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX proof_status_log_hub_idx ON proof_status_log (hub, status_index);
CREATE INDEX proof_status_log_thread_idx ON proof_status_log (thread, status_index);

-- status_index is drawn inside the writer's transaction but visible at its commit. A client that
-- saw 8 and catches up from 8 would miss a 7 committed later, so each statement that may change a
-- status first takes one transaction-scoped advisory lock ("phstatus" as ASCII), held until
-- commit: commit order equals status_index order. Taken before the statement's row locks, so it
-- cannot deadlock with another status writer.
CREATE FUNCTION proof_status_log_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(8099850873514259827);
  RETURN NULL;
END
$$;

CREATE FUNCTION proof_status_log_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO proof_status_log (proof_id, hub, thread, status)
  VALUES (NEW.id, NEW.hub, CASE WHEN NEW.type = 'post' THEN NEW.id ELSE NEW.ref_root END, NEW.status);
  RETURN NULL;
END
$$;

CREATE TRIGGER proofs_status_order BEFORE UPDATE OF status ON proofs
  FOR EACH STATEMENT EXECUTE FUNCTION proof_status_log_order();
CREATE TRIGGER proofs_status_append AFTER UPDATE OF status ON proofs
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION proof_status_log_append();
