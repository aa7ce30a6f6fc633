// Watches every validator: GET /status for liveness (the explorer page), GET /head for tamper
// evidence. Each certified head a validator presents is checked like the follower's: its
// certificate against the genesis set, then against everything the hub already certified —
// the same height must be the same block, the same tree size the same root (the hub's own log),
// a larger tree must be consistent with the hub's (an RFC 9162 consistency proof the validator
// serves, GET /proofs/consistency, checked against the hub's root), and a validator's head must
// never go back below one it showed before. A failure raises an alert (alerts.ts).
import type { Logger } from 'pino';
import { bytesToHex, hexToBytes } from '@/lib/bytes';
import { decodeBlockHeader, decodeQuorumCert, verifyCommitCertificate } from '@/lib/consensus';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { consistencyProofFromJson, verifyConsistency } from '@/lib/merkle';
import { nodeHasher } from '../crypto/sha256-node';
import type { Db } from '../db/types';
import { raiseAlert } from './alerts';
import type { ChainPins } from './config';
import type { LogMirror } from './log-mirror';
import { rpcGet, validatorConsistencySchema, validatorHeadSchema, validatorStatusSchema } from './rpc';
import type { ValidatorStatusWire } from './rpc';

export interface ValidatorLivenessWire {
  index: number;
  url: string;
  live: boolean;
  status: 'up' | 'down' | 'unknown';
  last_seen_at: string | null;
  height: number | null;
  view: number | null;
  tree_size: number | null;
  peers: number | null;
  can_sign: boolean | null;
  error: string | null;
}

export interface HeadWatcherOptions {
  db: Db;
  urls: readonly string[];
  pins: ChainPins;
  mirror: LogMirror;
  verifier: SignatureVerifier;
  logger: Logger;
  intervalMs?: number;
  /** Check heads on every Nth poll (default 5: liveness every 2 s, heads every 10 s). */
  headEvery?: number;
  /** Only the follower instance checks heads (alerts are stored once); every instance polls /status. */
  checkHeads: () => boolean;
}

export class HeadWatcher {
  readonly #options: HeadWatcherOptions;
  readonly #liveness: ValidatorLivenessWire[];
  /** Highest certified height each validator has shown. */
  readonly #highest = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #closed = false;
  #polls = 0;

  constructor(options: HeadWatcherOptions) {
    this.#options = options;
    this.#liveness = options.urls.map((url, index) => ({ index, url, live: false, status: 'unknown', last_seen_at: null, height: null, view: null, tree_size: null, peers: null, can_sign: null, error: null }));
  }

  start(): void {
    const tick = () => {
      if (this.#closed) return;
      this.#running = this.pollOnce().finally(() => {
        if (!this.#closed) this.#timer = setTimeout(tick, this.#options.intervalMs ?? 2000);
      });
    };
    tick();
  }

  /** Each validator's committed height from its last GET /status, null while it does not answer. */
  heights(): (number | null)[] {
    return this.#liveness.map((entry) => (entry.live ? entry.height : null));
  }

  liveness(): ValidatorLivenessWire[] {
    return this.#liveness.map((entry) => ({ ...entry }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#running;
  }

  async pollOnce(): Promise<void> {
    const checkHeads = this.#polls++ % (this.#options.headEvery ?? 5) === 0;
    await Promise.all(this.#options.urls.map((url, index) => this.#pollValidator(url, index, checkHeads)));
  }

  async #pollValidator(url: string, index: number, checkHeads: boolean): Promise<void> {
    const entry = this.#liveness[index] as ValidatorLivenessWire;
    let status: ValidatorStatusWire;
    try {
      status = await rpcGet(`${url}/status`, validatorStatusSchema, 2000);
    } catch (error) {
      Object.assign(entry, { live: false, status: 'down', error: (error as Error).message });
      return;
    }
    Object.assign(entry, { live: true, status: 'up', last_seen_at: new Date().toISOString(), height: status.height, view: status.view, tree_size: status.tree_size, peers: status.peers, can_sign: status.can_sign ?? null, error: null });
    if (status.genesis_hash !== bytesToHex(this.#options.pins.identity.chainId)) {
      await raiseAlert(this.#options.db, this.#options.logger, { kind: 'wrong_chain', message: `validator ${url} runs another genesis (${status.genesis_hash})`, source: url });
      return;
    }
    if (!checkHeads || !this.#options.checkHeads() || status.height === 0) return;
    try {
      await this.checkHead(url);
    } catch (error) {
      this.#options.logger.debug({ err: error, url }, 'chain: head check skipped');
    }
  }

  /** Fetches a validator's certified head and checks it against what the hub holds. */
  async checkHead(url: string): Promise<void> {
    const { db, logger, pins, verifier } = this.#options;
    const head = await rpcGet(`${url}/head`, validatorHeadSchema, 3000);
    const header = decodeBlockHeader(head.header);
    const qc = decodeQuorumCert(head.certificate);
    if (!header.ok || !qc.ok) {
      await raiseAlert(db, logger, { kind: 'malformed_head', message: `validator ${url} served a malformed certified head`, source: url, detail: { height: head.height } });
      return;
    }
    const certified = verifyCommitCertificate(pins.pinned, header.value, qc.value, verifier);
    if (!certified.ok) {
      await raiseAlert(db, logger, { kind: 'bad_certificate', message: `validator ${url} served a head whose certificate is refused: ${certified.error.code}`, source: url, detail: { height: head.height, code: certified.error.code } });
      return;
    }
    const { height, logSize, logRoot, blockHash } = certified.value;
    const highest = this.#highest.get(url) ?? 0;
    if (height < highest) {
      await raiseAlert(db, logger, { kind: 'rollback', message: `validator ${url} went back from certified height ${highest} to ${height}`, source: url, detail: { from: highest, to: height } });
    }
    this.#highest.set(url, Math.max(highest, height));
    const stored = await db.chainBlock.findUnique({ where: { height: BigInt(height) }, select: { hash: true } });
    if (stored !== null && stored.hash !== bytesToHex(blockHash)) {
      await raiseAlert(db, logger, { kind: 'fork', message: `validator ${url} certifies another block at height ${height}`, source: url, detail: { height, stored: stored.hash, seen: bytesToHex(blockHash) } });
      return;
    }
    const ours = await this.#options.mirror.sync((log) => ({ size: log.size, root: log.root(), rootAt: logSize <= log.size ? log.rootAt(logSize) : null }));
    if (ours.rootAt !== null) {
      if (ours.rootAt.ok && bytesToHex(ours.rootAt.value) !== bytesToHex(logRoot)) {
        await raiseAlert(db, logger, { kind: 'fork', message: `validator ${url} certifies a tree of ${logSize} leaves with another root than the hub's log`, source: url, detail: { height, tree_size: logSize } });
      }
      return;
    }
    if (ours.size === 0) return;
    // The validator is ahead: its tree must extend ours (RFC 9162 §2.1.4).
    const answer = await rpcGet(`${url}/proofs/consistency?from=${ours.size}&to=${logSize}`, validatorConsistencySchema, 3000);
    const proof = consistencyProofFromJson(answer.proof);
    const consistent =
      proof.ok &&
      proof.value.from === ours.size &&
      proof.value.to === logSize &&
      answer.to_root === bytesToHex(logRoot) &&
      verifyConsistency({ from: ours.size, to: logSize, oldRoot: ours.root, newRoot: hexToBytes(answer.to_root), path: proof.value.path }, nodeHasher).ok;
    if (!consistent) {
      await raiseAlert(db, logger, { kind: 'fork', message: `validator ${url} certifies a tree of ${logSize} leaves that does not extend the hub's ${ours.size}`, source: url, detail: { height, from: ours.size, to: logSize } });
    }
  }
}
