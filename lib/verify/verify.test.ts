import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesToHex, utf8Encode } from '../bytes';
import { canonicalizeJson } from '../canonical-json';
import { sha256 } from '../crypto/sha256';
import { publicKeyToDidKey } from '../crypto/did-key';
import { nobleVerifier } from '../crypto/ed25519';
import { createTestKey, ProofWriter } from '../proof/testing';
import { CertificateVerifier } from './certificates';
import { verifyAnchor } from './anchor';
import { checkTreeHeads } from './heads';
import { verifyItems, verifyThread, type VerifyItemsInput } from './items';
import { createThreadFixture, TestChain } from './testing';
import { verifyValidatorSet, type PinnedChain } from './validator-set';

const clone = <T>(value: T): T => structuredClone(value);

function pin(chain: TestChain): PinnedChain {
  const pinned = verifyValidatorSet(chain.validatorSet);
  if (!pinned.ok) throw new Error(pinned.error.message);
  return pinned.value;
}

async function fixtureInput(replies = 6): Promise<VerifyItemsInput & { fixture: Awaited<ReturnType<typeof createThreadFixture>> }> {
  const fixture = await createThreadFixture({ replies });
  return { fixture, items: fixture.items, identities: fixture.identities, validators: fixture.chain.validatorSet, heads: fixture.heads, consistency: fixture.consistency };
}

describe('verifyValidatorSet', () => {
  it('pins the chain id = genesis hash and the genesis keys in order', () => {
    const chain = new TestChain();
    const pinned = pin(chain);
    expect(bytesToHex(pinned.chainId)).toBe(chain.genesisHash);
    expect(pinned.genesisHash).toBe(chain.genesisHash);
    expect(pinned.validators.map(bytesToHex)).toEqual(chain.keys.map(bytesToHex));
  });

  it('accepts did:key validator keys in the genesis file, hashing the file as given', () => {
    const chain = new TestChain();
    const genesis = clone(chain.genesis) as { validators: { public_key: string }[] };
    genesis.validators.forEach((v, i) => (v.public_key = publicKeyToDidKey(chain.keys[i] as Uint8Array)));
    const stale = verifyValidatorSet({ ...clone(chain.validatorSet), genesis });
    expect(stale.ok ? 'ok' : stale.error.code).toBe('genesis_hash_mismatch');
    const genesisHash = bytesToHex(sha256(utf8Encode(canonicalizeJson(genesis))));
    const result = verifyValidatorSet({ ...clone(chain.validatorSet), genesis, genesis_hash: genesisHash });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.validators.map(bytesToHex)).toEqual(chain.keys.map(bytesToHex));
  });

  it('refuses a genesis file that does not hash to genesis_hash', () => {
    const set = clone(new TestChain().validatorSet);
    (set.genesis as { created_at: string }).created_at = '2026-11-23T18:00:01.000Z';
    const result = verifyValidatorSet(set);
    expect(result.ok ? 'ok' : result.error.code).toBe('genesis_hash_mismatch');
  });

  it('refuses listed keys that are not the genesis keys in order', () => {
    const set = clone(new TestChain().validatorSet);
    const [a, b] = set.validators;
    set.validators[0] = { ...(b as typeof a & object), index: 0 };
    set.validators[1] = { ...(a as typeof a & object), index: 1 };
    const result = verifyValidatorSet(set);
    expect(result.ok ? 'ok' : result.error.code).toBe('validator_set_mismatch');
  });

  it('refuses what is not a validator set', () => {
    const result = verifyValidatorSet({ chain_id: 'x' });
    expect(result.ok ? 'ok' : result.error.code).toBe('invalid_validator_set');
  });
});

describe('verifyAnchor', () => {
  it('checks a real certificate and inclusion proof, each certificate once', async () => {
    const { fixture } = await fixtureInput(8);
    const pinned = pin(fixture.chain);
    const certificates = new CertificateVerifier(pinned, nobleVerifier);
    for (const item of fixture.items) {
      const verdict = verifyAnchor(item.proof, item.anchor, pinned, nobleVerifier, certificates);
      expect(verdict.ok).toBe(true);
      if (verdict.ok) expect(verdict.value.leafIndex).toBe(item.anchor?.leaf_index);
    }
    expect(certificates.checkedCount).toBe(2);
  });

  it('refuses an anchor of another proof, a forged head and a short quorum', async () => {
    const { fixture } = await fixtureInput(4);
    const pinned = pin(fixture.chain);
    const [a, b] = fixture.items.slice(1);
    const code = (proof: unknown, anchor: unknown) => {
      const verdict = verifyAnchor(proof, anchor, pinned, nobleVerifier);
      return verdict.ok ? 'ok' : verdict.error.code;
    };
    expect(code(a?.proof, b?.anchor)).toBe('inclusion_invalid');
    const forged = clone(a?.anchor) as NonNullable<typeof a>['anchor'] & object;
    forged.root = 'ab'.repeat(32);
    forged.inclusion.root = forged.root;
    expect(code(a?.proof, forged)).toBe('certificate_head_mismatch');
    const inconsistent = clone(a?.anchor) as typeof forged;
    inconsistent.inclusion.index += 1;
    expect(code(a?.proof, inconsistent)).toBe('anchor_inconsistent');
    const short = clone(a?.anchor) as typeof forged;
    short.certificate.qc.signers = short.certificate.qc.signers.slice(0, 2);
    short.certificate.qc.signatures = short.certificate.qc.signatures.slice(0, 2);
    expect(code(a?.proof, short)).toBe('invalid_certificate');
    // A certificate of another chain (its own genesis) is refused against this pin.
    const other = new TestChain({ name: 'other-chain' });
    other.append([a?.proof as { id: string; sig: string }]);
    other.certify();
    expect(code(a?.proof, other.anchor((a?.proof as { id: string }).id))).toBe('invalid_certificate');
  });
});

describe('checkTreeHeads', () => {
  it('needs a consistency proof between distinct sizes and equal roots for equal sizes', async () => {
    const { fixture } = await fixtureInput(3);
    const [h1, h2] = fixture.heads;
    const claims = [
      { tree_size: h1?.tree_size ?? 0, root: h1?.root ?? '', source: 'a' },
      { tree_size: h2?.tree_size ?? 0, root: h2?.root ?? '', source: 'b' },
    ];
    expect(checkTreeHeads(claims, fixture.consistency).consistent).toBe(true);
    expect(checkTreeHeads(claims, []).failures.map((f) => f.code)).toEqual(['consistency_missing']);
    const forked = checkTreeHeads([...claims, { tree_size: h2?.tree_size ?? 0, root: 'cd'.repeat(32), source: 'c' }], fixture.consistency);
    expect(forked.failures.map((f) => f.code)).toEqual(['heads_inconsistent']);
    // A rolled-back log: the smaller head is not a prefix of the larger one.
    const rolled = checkTreeHeads([{ ...claims[0]!, root: 'ef'.repeat(32) }, claims[1]!], fixture.consistency);
    expect(rolled.failures.map((f) => f.code)).toEqual(['heads_inconsistent']);
  });
});

describe('verifyItems', () => {
  it('gives a clean report for a real anchored thread, with progress', async () => {
    const input = await fixtureInput(6);
    const phases: string[] = [];
    const report = await verifyThread(input, { chunk: 3, onProgress: (p) => phases.push(p.phase) });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.total).toBe(input.items.length);
    expect(report.valid).toBe(input.items.length);
    expect(report.anchored).toBe(input.items.length);
    expect(report.heads).toHaveLength(2);
    expect(report.consistent).toBe(true);
    expect(report.genesisHash).toBe(input.fixture.chain.genesisHash);
    expect(new Set(phases)).toEqual(new Set(['signatures', 'proofs', 'anchors', 'heads', 'done']));
  });

  it('names an item whose content was changed, and one whose signature was swapped', async () => {
    const input = await fixtureInput(4);
    const items = clone(input.fixture.items);
    const changed = items[2]!;
    (changed.content as { body: string }).body = 'Something else';
    const swapped = items[3]!;
    swapped.proof = { ...swapped.proof, sig: items[1]!.proof.sig };
    const report = await verifyItems({ ...input, items });
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(expect.objectContaining({ id: changed.proof.id, index: 2, code: 'content_mismatch' }));
    expect(report.failures).toContainEqual(expect.objectContaining({ id: swapped.proof.id, index: 3, code: 'bad_signature' }));
    expect(report.items[0]?.ok).toBe(true);
  });

  it('warns about unanchored items and purged content unless anchors are required', async () => {
    const input = await fixtureInput(2);
    const items = input.fixture.items.map((item, i) => (i === 1 ? { ...item, anchor: null, content: null } : item));
    const report = await verifyItems({ ...input, items });
    expect(report.ok).toBe(true);
    expect(report.unanchored).toBe(1);
    expect(report.warnings.map((w) => w.code).sort()).toEqual(['content_purged', 'unanchored']);
    const strict = await verifyItems({ ...input, items }, { requireAnchors: true });
    expect(strict.failures.map((f) => [f.index, f.code])).toEqual([[1, 'unanchored']]);
  });

  it('needs every issuer\'s inception proof, and the rotated key for proofs after a rotation', async () => {
    const input = await fixtureInput(4);
    const identities = input.fixture.identities.filter((proof) => proof.type !== 'identity' || proof.issuer !== input.fixture.items[0]?.proof.issuer);
    const report = await verifyItems({ ...input, identities });
    expect(report.failures).toContainEqual(expect.objectContaining({ id: input.fixture.items[0]?.proof.issuer, code: 'identity_missing' }));
    expect(report.items[0]?.ok).toBe(false);
    // Without the rotation, replies by the rotated author no longer check with the inception key.
    const unrotated = input.fixture.identities.filter((proof) => proof.type !== 'key_rotation');
    const stale = await verifyItems({ ...input, identities: unrotated });
    expect(stale.ok).toBe(false);
    expect(stale.failures.some((f) => f.code === 'unknown_key' || f.code === 'bad_signature')).toBe(true);
  });

  it('detects a fork by one author and two heads that cannot both be the log', async () => {
    const input = await fixtureInput(3);
    const writer = new ProofWriter(createTestKey(100), { hub: 'test-hub' });
    const forkedIdentity = await writer.write('identity', { name: 'Someone else' });
    const report = await verifyItems({ ...input, identities: [...input.fixture.identities, forkedIdentity] });
    expect(report.failures.some((f) => f.code === 'fork')).toBe(true);
    const noProof = await verifyItems({ ...input, consistency: [] });
    expect(noProof.consistent).toBe(false);
    expect(noProof.failures.map((f) => f.code)).toContain('consistency_missing');
  });

  it('fails an anchored item when no validator set is given, and a forged validator set', async () => {
    const input = await fixtureInput(1);
    const report = await verifyItems({ ...input, validators: undefined });
    expect(report.failures.map((f) => f.code)).toContain('validator_set_missing');
    const forged = clone(input.fixture.chain.validatorSet);
    forged.genesis_hash = 'aa'.repeat(32);
    const bad = await verifyItems({ ...input, validators: forged });
    expect(bad.failures).toContainEqual(expect.objectContaining({ id: 'validators', code: 'genesis_hash_mismatch' }));
    const pinnedElsewhere = await verifyItems(input, { expectedGenesisHash: 'bb'.repeat(32) });
    expect(pinnedElsewhere.ok).toBe(false);
  });
});

// Every string or number a verifier reads, with where it sits, so a property can change any one.
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string' || typeof value === 'number') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [];
}

const ALPHABETS = ['0123456789abcdef', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

function mutate(target: Record<string | number, unknown>, path: (string | number)[], pick: number): void {
  let parent = target;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  const value = parent[last];
  if (typeof value === 'number') parent[last] = value + 1 + (pick % 3);
  else if (typeof value === 'string') {
    const position = value.length === 0 ? 0 : pick % value.length;
    const char = value[position] ?? 'a';
    const alphabet = ALPHABETS.find((a) => [...value].every((c) => a.includes(c))) ?? 'abcdefghijklmnopqrstuvwxyz';
    let next = alphabet[(alphabet.indexOf(char) + 1 + (pick % (alphabet.length - 1))) % alphabet.length] ?? 'z';
    if (next === char) next = char === 'a' ? 'b' : 'a';
    parent[last] = value.slice(0, position) + next + value.slice(position + 1);
  }
}

describe('tamper evidence (fast-check)', () => {
  it('any changed value in any item\'s proof, content or anchor fails and names that item', async () => {
    const input = await fixtureInput(3);
    const base = input.fixture.items;
    const targets = base.flatMap((item, index) =>
      leaves(item)
        // block_height is the anchor's statement of which block first carried the leaf: nothing a
        // light client holds can check it (docs/bundles.md), so it is informational.
        .filter((path) => path[0] !== 'anchor' || path[1] !== 'block_height')
        .map((path) => ({ index, path })),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: targets.length - 1 }), fc.nat(), async (which, pick) => {
        const target = targets[which]!;
        const items = clone(base);
        mutate(items[target.index] as unknown as Record<string, unknown>, target.path, pick);
        const report = await verifyItems({ ...input, items });
        expect(report.ok).toBe(false);
        expect(report.failures.some((f) => f.index === target.index)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('any changed value in a certified head or consistency proof fails', async () => {
    const input = await fixtureInput(3);
    const extra = { heads: input.fixture.heads, consistency: input.fixture.consistency };
    const targets = leaves(extra);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: targets.length - 1 }), fc.nat(), async (which, pick) => {
        const changed = clone(extra);
        mutate(changed, targets[which]!, pick);
        const report = await verifyItems({ ...input, heads: changed.heads, consistency: changed.consistency });
        expect(report.ok).toBe(false);
      }),
      { numRuns: 20 },
    );
  });
});
