// Test support: a real chain as a light client sees it. Four validators with real Ed25519 keys,
// a genesis file whose RFC 8785 hash is the chain id, an RFC 9162 tree over the given proofs'
// leaves, and a commit certificate (header + QC signed by a quorum) for that tree head. Nothing is
// mocked: the browser code under test checks these with lib/verify exactly as it checks a hub's.
import { bytesToHex, utf8Encode } from '@/lib/bytes';
import { canonicalizeJson } from '@/lib/canonical-json';
import { hashBytes, headerHash, validatorSetHash, voteMessage } from '@/lib/consensus/encoding';
import { blockHeaderToJson, quorumCertToJson } from '@/lib/consensus/wire';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { publicKeyFromSeed, signEd25519 } from '@/lib/crypto/ed25519';
import { consistencyProof, inclusionProof, rootOf } from '@/lib/merkle/tree';
import { consistencyProofToJson } from '@/lib/merkle/wire';
import type { AnchorWire, CertifiedHeadWire, ConsistencyResponseWire, ValidatorSetWire } from '@/lib/protocol/chain';
import { proofLeafHash } from '@/lib/verify/anchor';

export interface ChainFixture {
  validatorSet: ValidatorSetWire;
  /** Certified head over the first `size` leaves (default: all). */
  head(size?: number, signers?: readonly number[]): CertifiedHeadWire;
  /** The anchor of leaf `index` under the head of `size` leaves (default: all). */
  anchor(index: number, size?: number, signers?: readonly number[]): AnchorWire;
  consistency(from: number, to: number): ConsistencyResponseWire;
}

const N = 4;

export function createChainFixture(proofs: readonly unknown[], options: { chainName?: string } = {}): ChainFixture {
  const seeds = Array.from({ length: N }, (_, i) => hashBytes(utf8Encode(`proofhub/${options.chainName ?? 'ui-test'}/validator/${i}`)));
  const keys = seeds.map((seed) => publicKeyFromSeed(seed));
  const genesis = {
    chain_id: options.chainName ?? 'ui-test',
    created_at: '2026-11-23T00:00:00.000Z',
    validators: keys.map((key, index) => ({ index, public_key: bytesToHex(key), host: '127.0.0.1', port: 7000 + index })),
  };
  const chainId = hashBytes(utf8Encode(canonicalizeJson(genesis)));
  const setHash = validatorSetHash(keys);
  const leaves = proofs.map((proof) => {
    const leaf = proofLeafHash(proof);
    if (leaf === null) throw new Error('fixture: a proof without id/sig');
    return leaf;
  });
  const validatorSet: ValidatorSetWire = {
    chain_id: genesis.chain_id,
    genesis_hash: bytesToHex(chainId),
    validators: keys.map((key, index) => ({ index, public_key: bytesToHex(key), did: publicKeyToDidKey(key) })),
    genesis,
  };

  const rootAt = (size: number): Uint8Array => {
    const root = rootOf(leaves, size);
    if (!root.ok) throw new Error(root.error.message);
    return root.value;
  };

  const head = (size = leaves.length, signers: readonly number[] = [0, 1, 2]): CertifiedHeadWire => {
    const height = size + 1;
    const header = {
      chainId,
      height,
      view: height + 3,
      parent: hashBytes(utf8Encode(`parent-${height}`)),
      logSize: size,
      logRoot: rootAt(size),
      validatorSetHash: setHash,
      payloadHash: hashBytes(utf8Encode(`payload-${height}`)),
    };
    const committed = headerHash(header);
    const child = hashBytes(utf8Encode(`child-${height}`));
    const view = header.view + 1;
    const message = voteMessage(chainId, view, child, committed);
    const qc = { view, blockHash: child, committedHash: committed, signers: [...signers], signatures: signers.map((i) => signEd25519(seeds[i] as Uint8Array, message)) };
    return {
      height,
      block_hash: bytesToHex(committed),
      tree_size: size,
      root: bytesToHex(header.logRoot),
      certificate: { header: blockHeaderToJson(header), qc: quorumCertToJson(qc) },
    };
  };

  const anchor = (index: number, size = leaves.length, signers?: readonly number[]): AnchorWire => {
    const certified = head(size, signers);
    const proof = inclusionProof(leaves, index, size);
    if (!proof.ok) throw new Error(proof.error.message);
    return {
      block_height: Math.min(index + 2, certified.height),
      leaf_index: index,
      tree_size: size,
      root: certified.root,
      inclusion: { index, size, root: certified.root, path: proof.value.path.map(bytesToHex) },
      certificate: certified.certificate,
    };
  };

  const consistency = (from: number, to: number): ConsistencyResponseWire => {
    const proof = consistencyProof(leaves, from, to);
    if (!proof.ok) throw new Error(proof.error.message);
    return { proof: consistencyProofToJson(proof.value), from_root: bytesToHex(rootAt(from)), to_root: bytesToHex(rootAt(to)) };
  };

  return { validatorSet, head, anchor, consistency };
}
