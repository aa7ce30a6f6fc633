// JSON wire forms of consensus objects, with the zod schemas the validator process applies to every
// peer message, RPC answer and stored record before anything reaches the core. Byte strings are
// lowercase hex (one canonical spelling); integers are non-negative safe integers. Decoding never
// throws: bad input is a Failure with code `invalid_message` and a path to the first problem.
import { z } from 'zod';
import { bytesToHex, hexToBytes } from '../bytes';
import { fail, ok, type Result } from '../errors';
import type { Block, BlockHeader, ConsensusMessage, Hash, LogLeaf, QuorumCert, SafetyRecord, TimeoutCert, TimeoutVote, Vote } from './types';

/** Hard ceilings of the wire format; the configured limits (e.g. maxLeavesPerBlock) are lower. */
export const WIRE_LIMITS = {
  maxValidators: 256,
  maxLeavesPerBlock: 4096,
  maxSyncBlocks: 256,
} as const;

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes * 2} lowercase hex digits`);
export const hashJsonSchema = hex(32);
const signatureJsonSchema = hex(64);
const counterSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const signerSchema = z.number().int().nonnegative().max(WIRE_LIMITS.maxValidators - 1);

export const leafJsonSchema = z.strictObject({ public_key: hex(32), id: hex(32), sig: signatureJsonSchema });
export const treeHeadJsonSchema = z.strictObject({ size: counterSchema, root: hashJsonSchema });

export const quorumCertJsonSchema = z.strictObject({
  view: counterSchema,
  block_hash: hashJsonSchema,
  committed_hash: hashJsonSchema,
  signers: z.array(signerSchema).max(WIRE_LIMITS.maxValidators),
  signatures: z.array(signatureJsonSchema).max(WIRE_LIMITS.maxValidators),
});

export const timeoutCertJsonSchema = z.strictObject({
  view: counterSchema,
  high_qc: quorumCertJsonSchema,
  signers: z.array(signerSchema).max(WIRE_LIMITS.maxValidators),
  high_qc_views: z.array(counterSchema).max(WIRE_LIMITS.maxValidators),
  signatures: z.array(signatureJsonSchema).max(WIRE_LIMITS.maxValidators),
});

export const blockJsonSchema = z.strictObject({
  height: counterSchema,
  view: counterSchema,
  parent: hashJsonSchema,
  leaves: z.array(leafJsonSchema).max(WIRE_LIMITS.maxLeavesPerBlock),
  tree_head: treeHeadJsonSchema,
  justify: quorumCertJsonSchema,
});

export const blockHeaderJsonSchema = z.strictObject({
  chain_id: hashJsonSchema,
  height: counterSchema,
  view: counterSchema,
  parent: hashJsonSchema,
  log_size: counterSchema,
  log_root: hashJsonSchema,
  validator_set_hash: hashJsonSchema,
  payload_hash: hashJsonSchema,
});

export const voteJsonSchema = z.strictObject({
  view: counterSchema,
  block_hash: hashJsonSchema,
  committed_hash: hashJsonSchema,
  signer: signerSchema,
  signature: signatureJsonSchema,
});

export const timeoutJsonSchema = z.strictObject({
  view: counterSchema,
  high_qc: quorumCertJsonSchema,
  signer: signerSchema,
  signature: signatureJsonSchema,
});

export const consensusMessageJsonSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('proposal'), block: blockJsonSchema, tc: timeoutCertJsonSchema.nullable() }),
  z.strictObject({ type: z.literal('vote'), vote: voteJsonSchema }),
  z.strictObject({ type: z.literal('timeout'), timeout: timeoutJsonSchema, last_tc: timeoutCertJsonSchema.nullable() }),
]);

/** Catch-up between validators (outside the consensus loop): ask for blocks up to a hash. */
export const syncRequestJsonSchema = z.strictObject({
  type: z.literal('sync_request'),
  from_height: counterSchema,
  target_hash: hashJsonSchema,
});

export const syncResponseJsonSchema = z.strictObject({
  type: z.literal('sync_response'),
  blocks: z.array(blockJsonSchema).max(WIRE_LIMITS.maxSyncBlocks),
  commit_qc: quorumCertJsonSchema.nullable(),
});

export const safetyRecordJsonSchema = z.strictObject({
  version: z.literal(1),
  chain_id: hashJsonSchema,
  last_voted_view: counterSchema,
  locked_qc: quorumCertJsonSchema,
  highest_timeout_view: counterSchema,
  high_tc: timeoutCertJsonSchema.nullable(),
  last_vote: voteJsonSchema.nullable(),
  last_timeout: timeoutJsonSchema.nullable(),
});

export type LeafJson = z.infer<typeof leafJsonSchema>;
export type QuorumCertJson = z.infer<typeof quorumCertJsonSchema>;
export type TimeoutCertJson = z.infer<typeof timeoutCertJsonSchema>;
export type BlockJson = z.infer<typeof blockJsonSchema>;
export type BlockHeaderJson = z.infer<typeof blockHeaderJsonSchema>;
export type VoteJson = z.infer<typeof voteJsonSchema>;
export type TimeoutJson = z.infer<typeof timeoutJsonSchema>;
export type ConsensusMessageJson = z.infer<typeof consensusMessageJsonSchema>;
export type SyncRequestJson = z.infer<typeof syncRequestJsonSchema>;
export type SyncResponseJson = z.infer<typeof syncResponseJsonSchema>;
export type SafetyRecordJson = z.infer<typeof safetyRecordJsonSchema>;

export interface SyncRequest {
  readonly fromHeight: number;
  readonly targetHash: Hash;
}

export interface SyncResponse {
  readonly blocks: readonly Block[];
  readonly commitQC: QuorumCert | null;
}

// ---- to JSON ----

export function leafToJson(leaf: LogLeaf): LeafJson {
  return { public_key: bytesToHex(leaf.publicKey), id: bytesToHex(leaf.id), sig: bytesToHex(leaf.sig) };
}

export function quorumCertToJson(qc: QuorumCert): QuorumCertJson {
  return {
    view: qc.view,
    block_hash: bytesToHex(qc.blockHash),
    committed_hash: bytesToHex(qc.committedHash),
    signers: [...qc.signers],
    signatures: qc.signatures.map(bytesToHex),
  };
}

export function timeoutCertToJson(tc: TimeoutCert): TimeoutCertJson {
  return {
    view: tc.view,
    high_qc: quorumCertToJson(tc.highQC),
    signers: [...tc.signers],
    high_qc_views: [...tc.highQCViews],
    signatures: tc.signatures.map(bytesToHex),
  };
}

export function blockToJson(block: Block): BlockJson {
  return {
    height: block.height,
    view: block.view,
    parent: bytesToHex(block.parent),
    leaves: block.leaves.map(leafToJson),
    tree_head: { size: block.treeHead.size, root: bytesToHex(block.treeHead.root) },
    justify: quorumCertToJson(block.justify),
  };
}

export function blockHeaderToJson(header: BlockHeader): BlockHeaderJson {
  return {
    chain_id: bytesToHex(header.chainId),
    height: header.height,
    view: header.view,
    parent: bytesToHex(header.parent),
    log_size: header.logSize,
    log_root: bytesToHex(header.logRoot),
    validator_set_hash: bytesToHex(header.validatorSetHash),
    payload_hash: bytesToHex(header.payloadHash),
  };
}

export function voteToJson(vote: Vote): VoteJson {
  return {
    view: vote.view,
    block_hash: bytesToHex(vote.blockHash),
    committed_hash: bytesToHex(vote.committedHash),
    signer: vote.signer,
    signature: bytesToHex(vote.signature),
  };
}

export function timeoutToJson(timeout: TimeoutVote): TimeoutJson {
  return { view: timeout.view, high_qc: quorumCertToJson(timeout.highQC), signer: timeout.signer, signature: bytesToHex(timeout.signature) };
}

export function consensusMessageToJson(message: ConsensusMessage): ConsensusMessageJson {
  switch (message.type) {
    case 'proposal':
      return { type: 'proposal', block: blockToJson(message.block), tc: message.tc === null ? null : timeoutCertToJson(message.tc) };
    case 'vote':
      return { type: 'vote', vote: voteToJson(message.vote) };
    case 'timeout':
      return { type: 'timeout', timeout: timeoutToJson(message.timeout), last_tc: message.lastTC === null ? null : timeoutCertToJson(message.lastTC) };
  }
}

export function syncRequestToJson(request: SyncRequest): SyncRequestJson {
  return { type: 'sync_request', from_height: request.fromHeight, target_hash: bytesToHex(request.targetHash) };
}

export function syncResponseToJson(response: SyncResponse): SyncResponseJson {
  return {
    type: 'sync_response',
    blocks: response.blocks.map(blockToJson),
    commit_qc: response.commitQC === null ? null : quorumCertToJson(response.commitQC),
  };
}

export function safetyRecordToJson(record: SafetyRecord): SafetyRecordJson {
  return {
    version: 1,
    chain_id: bytesToHex(record.chainId),
    last_voted_view: record.lastVotedView,
    locked_qc: quorumCertToJson(record.lockedQC),
    highest_timeout_view: record.highestTimeoutView,
    high_tc: record.highTC === null ? null : timeoutCertToJson(record.highTC),
    last_vote: record.lastVote === null ? null : voteToJson(record.lastVote),
    last_timeout: record.lastTimeout === null ? null : timeoutToJson(record.lastTimeout),
  };
}

// ---- from JSON (after the schema has passed, hex is well formed, so hexToBytes cannot throw) ----

function leafFromJson(json: LeafJson): LogLeaf {
  return { publicKey: hexToBytes(json.public_key), id: hexToBytes(json.id), sig: hexToBytes(json.sig) };
}

function quorumCertFromJson(json: QuorumCertJson): QuorumCert {
  return {
    view: json.view,
    blockHash: hexToBytes(json.block_hash),
    committedHash: hexToBytes(json.committed_hash),
    signers: json.signers,
    signatures: json.signatures.map(hexToBytes),
  };
}

function timeoutCertFromJson(json: TimeoutCertJson): TimeoutCert {
  return {
    view: json.view,
    highQC: quorumCertFromJson(json.high_qc),
    signers: json.signers,
    highQCViews: json.high_qc_views,
    signatures: json.signatures.map(hexToBytes),
  };
}

function blockFromJson(json: BlockJson): Block {
  return {
    height: json.height,
    view: json.view,
    parent: hexToBytes(json.parent),
    leaves: json.leaves.map(leafFromJson),
    treeHead: { size: json.tree_head.size, root: hexToBytes(json.tree_head.root) },
    justify: quorumCertFromJson(json.justify),
  };
}

function voteFromJson(json: VoteJson): Vote {
  return {
    view: json.view,
    blockHash: hexToBytes(json.block_hash),
    committedHash: hexToBytes(json.committed_hash),
    signer: json.signer,
    signature: hexToBytes(json.signature),
  };
}

function timeoutFromJson(json: TimeoutJson): TimeoutVote {
  return { view: json.view, highQC: quorumCertFromJson(json.high_qc), signer: json.signer, signature: hexToBytes(json.signature) };
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

function parseWith<S extends z.ZodType, T>(schema: S, json: unknown, what: string, convert: (value: z.infer<S>) => T): Result<T, 'invalid_message'> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) return fail('invalid_message', `not a ${what}: ${describe(parsed.error)}`);
  return ok(convert(parsed.data));
}

export function decodeConsensusMessage(json: unknown): Result<ConsensusMessage, 'invalid_message'> {
  return parseWith(consensusMessageJsonSchema, json, 'consensus message', (message): ConsensusMessage => {
    switch (message.type) {
      case 'proposal':
        return { type: 'proposal', block: blockFromJson(message.block), tc: message.tc === null ? null : timeoutCertFromJson(message.tc) };
      case 'vote':
        return { type: 'vote', vote: voteFromJson(message.vote) };
      case 'timeout':
        return { type: 'timeout', timeout: timeoutFromJson(message.timeout), lastTC: message.last_tc === null ? null : timeoutCertFromJson(message.last_tc) };
    }
  });
}

export function decodeBlock(json: unknown): Result<Block, 'invalid_message'> {
  return parseWith(blockJsonSchema, json, 'block', blockFromJson);
}

export function decodeBlockHeader(json: unknown): Result<BlockHeader, 'invalid_message'> {
  return parseWith(blockHeaderJsonSchema, json, 'block header', (header) => ({
    chainId: hexToBytes(header.chain_id),
    height: header.height,
    view: header.view,
    parent: hexToBytes(header.parent),
    logSize: header.log_size,
    logRoot: hexToBytes(header.log_root),
    validatorSetHash: hexToBytes(header.validator_set_hash),
    payloadHash: hexToBytes(header.payload_hash),
  }));
}

export function decodeQuorumCert(json: unknown): Result<QuorumCert, 'invalid_message'> {
  return parseWith(quorumCertJsonSchema, json, 'quorum certificate', quorumCertFromJson);
}

export function decodeTimeoutCert(json: unknown): Result<TimeoutCert, 'invalid_message'> {
  return parseWith(timeoutCertJsonSchema, json, 'timeout certificate', timeoutCertFromJson);
}

export function decodeSyncRequest(json: unknown): Result<SyncRequest, 'invalid_message'> {
  return parseWith(syncRequestJsonSchema, json, 'sync request', (request) => ({ fromHeight: request.from_height, targetHash: hexToBytes(request.target_hash) }));
}

export function decodeSyncResponse(json: unknown): Result<SyncResponse, 'invalid_message'> {
  return parseWith(syncResponseJsonSchema, json, 'sync response', (response) => ({
    blocks: response.blocks.map(blockFromJson),
    commitQC: response.commit_qc === null ? null : quorumCertFromJson(response.commit_qc),
  }));
}

/** Reads a stored safety record; a failure means the record is damaged (restore with safety: null). */
export function decodeSafetyRecord(json: unknown): Result<SafetyRecord, 'invalid_message'> {
  return parseWith(safetyRecordJsonSchema, json, 'safety record', (record) => ({
    chainId: hexToBytes(record.chain_id),
    lastVotedView: record.last_voted_view,
    lockedQC: quorumCertFromJson(record.locked_qc),
    highestTimeoutView: record.highest_timeout_view,
    highTC: record.high_tc === null ? null : timeoutCertFromJson(record.high_tc),
    lastVote: record.last_vote === null ? null : voteFromJson(record.last_vote),
    lastTimeout: record.last_timeout === null ? null : timeoutFromJson(record.last_timeout),
  }));
}
