// Rollback and fork detection in the browser (issue 5, "Tamper evidence"). The certified tree
// heads this browser has seen are kept in localStorage, per genesis hash. Every new head is
// checked before it is kept: its commit certificate against the pinned genesis keys, then an RFC
// 9162 §2.1.4 consistency proof (GET /api/v1/log/consistency) between it and the largest head
// already seen, verified against the roots this browser stored, not the ones the hub sends back.
// A head whose tree does not extend (or is not extended by) what was seen means the log was
// rolled back or forked: that is reported and the bad head is not stored.
import { bytesToHex, hexToBytes } from '@/lib/bytes';
import { verifyConsistency } from '@/lib/merkle/verify';
import type { CertifiedHeadWire, ConsistencyResponseWire } from '@/lib/protocol/chain';
import type { CertificateVerifier } from '@/lib/verify/certificates';
import type { ApiResult } from '../api/client';

export interface SeenHead {
  readonly tree_size: number;
  readonly root: string;
  readonly height: number;
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export type HeadVerdict =
  | { kind: 'ok'; head: SeenHead }
  /** Not a verdict: the consistency proof could not be fetched. */
  | { kind: 'unavailable'; message: string }
  | { kind: 'alert'; code: 'invalid_certificate' | 'certificate_head_mismatch' | 'rollback' | 'fork'; message: string; seen: SeenHead; offered: SeenHead };

const MAX_KEPT = 32;
const STORAGE_PREFIX = 'proofhub:heads:';

function isSeenHead(value: unknown): value is SeenHead {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Number.isSafeInteger(v.tree_size) && Number.isSafeInteger(v.height) && typeof v.root === 'string' && /^[0-9a-f]{64}$/.test(v.root);
}

export class HeadHistory {
  readonly #storage: KeyValueStorage;
  readonly #key: string;
  readonly #certificates: CertificateVerifier;
  readonly #consistency: (from: number, to: number) => Promise<ApiResult<ConsistencyResponseWire>>;

  constructor(options: {
    genesisHash: string;
    storage: KeyValueStorage;
    certificates: CertificateVerifier;
    consistency: (from: number, to: number) => Promise<ApiResult<ConsistencyResponseWire>>;
  }) {
    this.#storage = options.storage;
    this.#key = `${STORAGE_PREFIX}${options.genesisHash}`;
    this.#certificates = options.certificates;
    this.#consistency = options.consistency;
  }

  /** Heads seen so far, by tree size ascending. A damaged entry is dropped, not trusted. */
  seen(): SeenHead[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.#storage.getItem(this.#key) ?? '[]');
    } catch {
      return [];
    }
    return Array.isArray(parsed) ? parsed.filter(isSeenHead).sort((a, b) => a.tree_size - b.tree_size) : [];
  }

  #keep(head: SeenHead): void {
    const heads = this.seen().filter((known) => known.tree_size !== head.tree_size);
    heads.push(head);
    heads.sort((a, b) => a.tree_size - b.tree_size);
    // Keep the largest heads: each new one is checked against the largest.
    const kept = heads.slice(-MAX_KEPT);
    try {
      this.#storage.setItem(this.#key, JSON.stringify(kept));
    } catch {
      // Storage full or disabled: detection then covers this page's lifetime only.
    }
  }

  /** Checks a certified head against what this browser saw before, and keeps it when it is consistent. */
  async check(head: CertifiedHeadWire): Promise<HeadVerdict> {
    const offered: SeenHead = { tree_size: head.tree_size, root: head.root, height: head.height };
    const certified = this.#certificates.verify(head.certificate);
    const seen = this.seen();
    const largest = seen[seen.length - 1];
    if (!certified.ok) {
      return { kind: 'alert', code: 'invalid_certificate', message: `the hub served a tree head whose certificate does not check: ${certified.error.message}`, seen: largest ?? offered, offered };
    }
    if (certified.value.logSize !== head.tree_size || bytesToHex(certified.value.logRoot) !== head.root || certified.value.height !== head.height) {
      return { kind: 'alert', code: 'certificate_head_mismatch', message: 'the certificate certifies another tree head than the one the hub names', seen: largest ?? offered, offered };
    }
    const same = seen.find((known) => known.tree_size === head.tree_size);
    if (same !== undefined) {
      if (same.root === head.root) return { kind: 'ok', head: offered };
      return { kind: 'alert', code: 'fork', message: `two certified roots for tree size ${head.tree_size}: ${same.root.slice(0, 12)}… (seen before) and ${head.root.slice(0, 12)}… (now)`, seen: same, offered };
    }
    if (largest === undefined || head.tree_size === 0) {
      this.#keep(offered);
      return { kind: 'ok', head: offered };
    }
    // Older than the largest seen: it must be a prefix of it; newer: it must extend it.
    const [older, newer] = head.tree_size < largest.tree_size ? [offered, largest] : [largest, offered];
    if (older.tree_size === 0) {
      this.#keep(offered);
      return { kind: 'ok', head: offered };
    }
    const answer = await this.#consistency(older.tree_size, newer.tree_size);
    if (!answer.ok) return { kind: 'unavailable', message: `${answer.error.code}: ${answer.error.message}` };
    const verdict = verifyConsistency({
      from: older.tree_size,
      to: newer.tree_size,
      oldRoot: hexToBytes(older.root),
      newRoot: hexToBytes(newer.root),
      path: answer.value.proof.from === older.tree_size && answer.value.proof.to === newer.tree_size ? answer.value.proof.path.map(hexToBytes) : [],
    });
    if (!verdict.ok) {
      const rollback = head.tree_size < largest.tree_size;
      return {
        kind: 'alert',
        code: rollback ? 'rollback' : 'fork',
        message: rollback
          ? `the hub now shows tree size ${head.tree_size}, which is not a prefix of the tree of ${largest.tree_size} leaves this browser saw: the log was rolled back or rewritten (${verdict.error.message})`
          : `the tree of ${head.tree_size} leaves does not extend the tree of ${largest.tree_size} leaves this browser saw: the log forked (${verdict.error.message})`,
        seen: largest,
        offered,
      };
    }
    this.#keep(offered);
    return { kind: 'ok', head: offered };
  }
}
