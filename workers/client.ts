// A small client for a validator's RPC, used by the devnet tests and the chain benchmark (and
// usable by the hub): signed test leaves, submission, status, blocks and the commit check a light
// client makes.
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@/lib/bytes';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { decodeBlockHeader, decodeQuorumCert, type PinnedValidatorSet, verifyCommitCertificate } from '@/lib/consensus';
import { inclusionProofFromJson, leafHash, verifyInclusion } from '@/lib/merkle';
import { nodeHasher } from '@/server/crypto/sha256-node';

export interface LeafJson {
  readonly pub: string;
  readonly id: string;
  readonly sig: string;
}

export interface ValidatorStatus {
  readonly chain_id: string;
  readonly validator: number;
  readonly height: number;
  readonly view: number;
  readonly tree_size: number;
  readonly root: string;
  readonly peers: number;
  readonly mempool: number;
  readonly joined: boolean;
  readonly can_sign: boolean;
  readonly safety_record: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** `count` leaves with random ids signed by one fresh key (what the hub would submit). */
export function makeSignedLeaves(count: number): LeafJson[] {
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const pub = Buffer.from(privateKey.export({ format: 'jwk' }).x as string, 'base64url').toString('hex');
  const leaves: LeafJson[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomBytes(32);
    leaves.push({ pub, id: id.toString('hex'), sig: sign(null, id, privateKey).toString('hex') });
  }
  return leaves;
}

export function leafHashHex(leaf: LeafJson): string {
  return bytesToHex(leafHash(hexToBytes(leaf.id), hexToBytes(leaf.sig), nodeHasher));
}

export async function getJson<T = unknown>(url: string, timeoutMs = 5000): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  return { status: response.status, body: (text.length > 0 ? JSON.parse(text) : null) as T };
}

export async function postJson<T = unknown>(url: string, body: unknown, timeoutMs = 10_000): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return { status: response.status, body: (text.length > 0 ? JSON.parse(text) : null) as T };
}

export async function submitLeaves(baseUrl: string, leaves: readonly LeafJson[]): Promise<{ leaf_hash: string; status?: string; error?: { code: string } }[]> {
  const { status, body } = await postJson<{ results: { leaf_hash: string; status?: string; error?: { code: string } }[] }>(`${baseUrl}/leaves`, { leaves });
  if (status !== 200) throw new Error(`POST /leaves answered ${status}: ${JSON.stringify(body)}`);
  return body.results;
}

export async function readStatus(baseUrl: string): Promise<ValidatorStatus | null> {
  try {
    const { status, body } = await getJson<ValidatorStatus>(`${baseUrl}/status`, 2000);
    return status === 200 ? body : null;
  } catch {
    return null;
  }
}

/**
 * What a light client does with a validator's answers: checks the certified head's commit
 * certificate against the pinned validator set, then the inclusion proof of a leaf against the
 * certified root. Returns null when both check, else the reason.
 */
export async function checkLeafCertified(baseUrl: string, pinned: PinnedValidatorSet, verifier: SignatureVerifier, leaf: LeafJson): Promise<string | null> {
  const head = await getJson<{ header: unknown; certificate: unknown; tree_size: number }>(`${baseUrl}/head`);
  if (head.status !== 200) return `GET /head answered ${head.status}`;
  const header = decodeBlockHeader(head.body.header);
  const certificate = decodeQuorumCert(head.body.certificate);
  if (!header.ok || !certificate.ok) return 'head is malformed';
  const certified = verifyCommitCertificate(pinned, header.value, certificate.value, verifier);
  if (!certified.ok) return `commit certificate: ${certified.error.code}`;
  const inclusion = await getJson<{ proof: unknown }>(`${baseUrl}/proofs/inclusion?leaf=${leafHashHex(leaf)}&size=${certified.value.logSize}`);
  if (inclusion.status !== 200) return `inclusion answered ${inclusion.status}`;
  const proof = inclusionProofFromJson(inclusion.body.proof);
  if (!proof.ok) return 'inclusion proof is malformed';
  if (bytesToHex(proof.value.root) !== bytesToHex(certified.value.logRoot)) return 'inclusion proof is for another root';
  const verdict = verifyInclusion({ leafHash: hexToBytes(leafHashHex(leaf)), index: proof.value.index, size: proof.value.size, path: proof.value.path, root: certified.value.logRoot });
  return verdict.ok ? null : `inclusion: ${verdict.error.code}`;
}
