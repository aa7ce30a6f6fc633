-- 0004_moderation: the moderator role, the moderation state of each item (a derived view, rebuilt
-- from the moderation proofs by `proofhub admin rebuild-views`) and an index for the public
-- moderation log. docs/moderation.md explains it; prisma/schema.prisma mirrors it.

-- The role CHECK of 0001_init gains 'moderator' (granted by an admin; the first account is admin).
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('user', 'moderator', 'admin'));

-- One row per post or reply that at least one moderation proof targets: the state after replaying
-- those proofs in log order (hide sets hidden, unhide clears it, flag counts).
CREATE TABLE moderation_views (
  target_id        text PRIMARY KEY,
  hub              text NOT NULL,
  thread           text,
  hidden           boolean NOT NULL DEFAULT false,
  hidden_reason    text,
  hidden_by        text,
  hidden_proof     text,
  flag_count       integer NOT NULL DEFAULT 0 CHECK (flag_count >= 0),
  last_flag_reason text,
  last_proof       text NOT NULL,
  last_log_index   bigint NOT NULL,
  CHECK (hidden = (hidden_proof IS NOT NULL))
);
CREATE INDEX moderation_views_thread_idx ON moderation_views (thread);

-- The moderation log pages through moderation proofs newest first, per hub or over all hubs.
CREATE INDEX proofs_moderation_hub_idx ON proofs (hub, log_index) WHERE type = 'moderation';
CREATE INDEX proofs_moderation_idx ON proofs (log_index) WHERE type = 'moderation';
