-- 0001_init: accounts, hubs, proofs as received, content beside them, forks, derived views.
-- Applied by server/db/migrate.ts inside one transaction; prisma/schema.prisma mirrors it.

CREATE TABLE users (
  id            text PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_]{3,32}$'),
  password_hash text NOT NULL,
  did           text UNIQUE,
  role          text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  created_at    timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE hubs (
  id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  name       text NOT NULL,
  visibility text NOT NULL CHECK (visibility IN ('public', 'private')),
  owner_id   text REFERENCES users (id),
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  hub_id     text NOT NULL REFERENCES hubs (id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('owner', 'member')),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (hub_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

-- Proofs are never updated except their badge status; they are the source of every view.
CREATE TABLE proofs (
  id            text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  log_index     bigserial NOT NULL UNIQUE,
  raw           text NOT NULL,
  type          text NOT NULL,
  hub           text NOT NULL REFERENCES hubs (id),
  issuer        text NOT NULL,
  seq           integer NOT NULL CHECK (seq >= 1),
  prev          text,
  created_at    timestamptz(3) NOT NULL,
  received_at   timestamptz(3) NOT NULL DEFAULT now(),
  status        text NOT NULL DEFAULT 'signed' CHECK (status IN ('signed', 'anchored', 'verified', 'invalid')),
  status_detail jsonb,
  ref_parent    text,
  ref_root      text,
  submitted_by  text REFERENCES users (id),
  -- The chain rule: one proof per (issuer, seq). A second one is a fork, refused (forks table).
  CONSTRAINT proofs_issuer_seq_key UNIQUE (issuer, seq)
);
CREATE INDEX proofs_hub_log_index_idx ON proofs (hub, log_index);
CREATE INDEX proofs_ref_parent_idx ON proofs (ref_parent);

CREATE TABLE proof_contents (
  proof_id     text PRIMARY KEY REFERENCES proofs (id),
  raw          text,
  purged_at    timestamptz(3),
  purge_reason text,
  CHECK ((raw IS NULL) = (purged_at IS NOT NULL))
);

CREATE TABLE forks (
  id              bigserial PRIMARY KEY,
  issuer          text NOT NULL,
  seq             integer NOT NULL,
  stored_id       text NOT NULL REFERENCES proofs (id),
  conflicting_id  text NOT NULL,
  conflicting_raw text NOT NULL,
  detected_at     timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT forks_stored_id_conflicting_id_key UNIQUE (stored_id, conflicting_id)
);
CREATE INDEX forks_issuer_idx ON forks (issuer);

-- Derived views. No foreign keys: rebuild-views empties and refills them from proofs.
CREATE TABLE thread_views (
  root_id          text PRIMARY KEY,
  hub              text NOT NULL,
  issuer           text NOT NULL,
  created_at       timestamptz(3) NOT NULL,
  root_log_index   bigint NOT NULL,
  last_log_index   bigint NOT NULL,
  last_activity_at timestamptz(3) NOT NULL,
  reply_count      integer NOT NULL DEFAULT 0
);
CREATE INDEX thread_views_hub_last_log_index_idx ON thread_views (hub, last_log_index DESC);

CREATE TABLE reply_views (
  id        text PRIMARY KEY,
  root_id   text NOT NULL,
  parent_id text NOT NULL,
  depth     integer NOT NULL,
  hub       text NOT NULL,
  log_index bigint NOT NULL
);
CREATE INDEX reply_views_root_id_log_index_idx ON reply_views (root_id, log_index);

CREATE TABLE reaction_counts (
  target_id text NOT NULL,
  kind      text NOT NULL,
  count     integer NOT NULL CHECK (count >= 0),
  PRIMARY KEY (target_id, kind)
);

CREATE TABLE reaction_states (
  target_id text NOT NULL,
  issuer    text NOT NULL,
  kind      text NOT NULL,
  active    boolean NOT NULL,
  proof_id  text NOT NULL,
  PRIMARY KEY (target_id, issuer, kind)
);
CREATE INDEX reaction_states_issuer_idx ON reaction_states (issuer);

CREATE TABLE identity_views (
  did          text PRIMARY KEY,
  display_name text,
  head_seq     integer NOT NULL,
  head_id      text NOT NULL,
  keys         jsonb NOT NULL
);
