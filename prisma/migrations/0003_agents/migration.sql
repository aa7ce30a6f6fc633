-- 0003_agents: AI agents registered under an owner, OAuth2 client credentials, and the hub's
-- rotating JWT signing keys (docs/agents.md). prisma/schema.prisma mirrors it.
--
-- The delegation and revocation themselves are signed proofs in the owner's chain (table proofs);
-- these rows only bind credentials to an agent DID and cache what the proofs decided, so token
-- checks need one indexed lookup.

CREATE TABLE agents (
  id                 text PRIMARY KEY,
  owner_id           text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
  -- The agent's own Ed25519 did:key (inception key): its proofs carry it as issuer.
  did                text NOT NULL UNIQUE,
  client_id          text NOT NULL UNIQUE,
  -- SHA-256 (hex) of the 256-bit random client secret: a secret with that much entropy needs no
  -- slow hash (nothing to brute-force), and a fast one keeps the token endpoint cheap.
  client_secret_hash text NOT NULL CHECK (client_secret_hash ~ '^[0-9a-f]{64}$'),
  -- Scopes the owner chose at registration; the delegation proof grants the ones that count.
  scopes             text[] NOT NULL,
  -- The owner's delegation proof to this agent (null until the owner signs it).
  delegation_id      text REFERENCES proofs (id),
  created_at         timestamptz(3) NOT NULL DEFAULT now(),
  revoked_at         timestamptz(3),
  revocation_id      text REFERENCES proofs (id)
);
CREATE INDEX agents_owner_id_idx ON agents (owner_id);

-- JWT signing keys (EdDSA / Ed25519). The private JWK is sealed with AES-256-GCM under a key
-- derived from the hub's session secret, so a database dump alone cannot mint tokens.
CREATE TABLE oauth_signing_keys (
  kid          text PRIMARY KEY,
  alg          text NOT NULL CHECK (alg = 'EdDSA'),
  public_jwk   jsonb NOT NULL,
  sealed_private_jwk text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  -- No new tokens after this instant (rotation).
  signs_until  timestamptz(3) NOT NULL,
  -- Published in the JWKS and accepted until this instant (signs_until + the longest token life).
  verifies_until timestamptz(3) NOT NULL
);
CREATE INDEX oauth_signing_keys_signs_until_idx ON oauth_signing_keys (signs_until);
