-- Chain anchoring (issue 5; docs/chain-anchoring.md). The hub's own copy of the certified log:
-- every committed block it checked, the certified heads among them, every log leaf by index, one
-- anchor row per proof (its leaf, submission state and, once verified, its place in the log), and
-- the alerts raised when a validator showed something inconsistent.

-- Committed blocks, in height order, as checked by the commit follower (hash links, header hash,
-- tree head recomputed, covered by a commit certificate verified against the genesis set).
CREATE TABLE chain_blocks (
  height       bigint PRIMARY KEY,
  hash         text NOT NULL UNIQUE,
  parent       text NOT NULL,
  view         bigint NOT NULL,
  tree_size    bigint NOT NULL,
  root         text NOT NULL,
  leaf_count   integer NOT NULL,
  certified_by bigint NOT NULL,
  received_at  timestamptz(3) NOT NULL DEFAULT now()
);

-- Certified tree heads: blocks with their own commit certificate (header JSON + QC JSON).
CREATE TABLE chain_heads (
  height      bigint PRIMARY KEY,
  block_hash  text NOT NULL,
  tree_size   bigint NOT NULL,
  root        text NOT NULL,
  header      jsonb NOT NULL,
  qc          jsonb NOT NULL,
  source      text NOT NULL,
  seen_at     timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX chain_heads_tree_size ON chain_heads (tree_size);

-- The log: leaf hash (SHA-256(0x00 ‖ id ‖ sig), hex) by 0-based index, and the block that carried it.
CREATE TABLE chain_leaves (
  leaf_index   bigint PRIMARY KEY,
  leaf_hash    text NOT NULL,
  block_height bigint NOT NULL
);
CREATE INDEX chain_leaves_leaf_hash ON chain_leaves (leaf_hash);

-- One row per proof handed to the validators. head_height is null until verified.
CREATE TABLE proof_anchors (
  proof_id     text PRIMARY KEY REFERENCES proofs (id),
  leaf_hash    text NOT NULL UNIQUE,
  pub          text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  submitted_at timestamptz(3),
  attempts     integer NOT NULL DEFAULT 0,
  leaf_index   bigint,
  block_height bigint,
  head_height  bigint,
  inclusion    jsonb,
  verified_at  timestamptz(3)
);
CREATE INDEX proof_anchors_pending ON proof_anchors (submitted_at) WHERE head_height IS NULL;

-- Something a validator showed that does not fit what the hub already certified.
CREATE TABLE chain_alerts (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL,
  message     text NOT NULL,
  source      text NOT NULL,
  detail      jsonb,
  detected_at timestamptz(3) NOT NULL DEFAULT now()
);
