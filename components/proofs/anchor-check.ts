// The last step to a green badge: the browser checks the proof's anchor itself. Whatever the hub
// says (status `verified`, an anchor in a proof:status event or in GET /api/v1/proofs/:id), the
// badge turns `verified` only when lib/verify verifyAnchor accepts the anchor against the
// validator set pinned for this page (pinned-chain.ts): the commit certificate carries 2f+1 valid
// signatures of the genesis keys (One Ed25519 rule, noble back-end) over a header naming
// {tree_size, root}, and the RFC 9162 inclusion proof leads from the proof's leaf
// SHA-256(0x00 ‖ id ‖ sig) to that root. A failed check is `invalid` with lib/verify's code.
import { verifyAnchor } from '@/lib/verify/anchor';
import type { ApiResult } from '../api/client';
import type { ProofAnchorAnswer } from '../chain/chain-client';
import { chainApi, parseAnchor } from '../chain/chain-client';
import type { BadgeState, BrowserChecked } from './badge-state';
import type { ChainPin } from './pinned-chain';
import { browserChainPin } from './pinned-chain';
import type { StatusEntry } from './proof-status';
import { CheckUnavailableError } from './check-proof';

function numberField(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' && Number.isSafeInteger(field) && field >= 0 ? field : undefined;
}

export class AnchorChecker {
  readonly #pin: ChainPin;
  readonly #fetchAnchor: (id: string) => Promise<ApiResult<ProofAnchorAnswer>>;
  readonly #fetched = new Map<string, Promise<ProofAnchorAnswer>>();

  constructor(pin: ChainPin, fetchAnchor: (id: string) => Promise<ApiResult<ProofAnchorAnswer>>) {
    this.#pin = pin;
    this.#fetchAnchor = fetchAnchor;
  }

  /**
   * The badge of a proof whose signature, content and chain link this browser already checked,
   * given what the hub says about its anchor. Throws CheckUnavailableError when the hub cannot be
   * asked (the caller keeps the lower badge and retries).
   */
  async badge(checked: BrowserChecked, entry: StatusEntry | undefined): Promise<BadgeState> {
    const status = entry?.status ?? 'signed';
    let anchor: unknown = entry?.anchor;
    const complete = (value: unknown) => typeof value === 'object' && value !== null && 'certificate' in value && 'inclusion' in value;
    if (!complete(anchor) && status === 'verified') {
      // The hub says the proof is under a certified head but sent no anchor with it: ask for it.
      anchor = (await this.#anchorOf(checked.proof.id)).anchor;
    }
    if (!complete(anchor)) {
      if (status === 'anchored' || status === 'verified') {
        const height = numberField(anchor, 'block_height') ?? numberField(anchor, 'height');
        return { state: 'anchored', checked, anchor: height === undefined ? {} : { height } };
      }
      return { state: 'signed', checked };
    }
    const pinned = await this.#pin.get().catch((error: unknown) => {
      throw new CheckUnavailableError(error instanceof Error ? error.message : String(error));
    });
    if (!pinned.ok) return { state: 'invalid', reason: { code: pinned.reason.code, message: `the hub's validator set does not check: ${pinned.reason.message}` } };
    const verdict = verifyAnchor(checked.proof, anchor, pinned.pinned.chain, pinned.pinned.verifier, pinned.pinned.certificates);
    if (!verdict.ok) return { state: 'invalid', reason: { code: verdict.error.code, message: verdict.error.message } };
    const v = verdict.value;
    const wire = parseAnchor(anchor);
    return {
      state: 'verified',
      checked,
      inclusionChecked: true,
      anchor: {
        height: v.blockHeight,
        treeSize: v.treeSize,
        leafIndex: v.leafIndex,
        root: v.root,
        certifiedHeight: v.certifiedHeight,
        signers: v.signers,
        ...(wire === null ? {} : { wire }),
      },
    };
  }

  #anchorOf(id: string): Promise<ProofAnchorAnswer> {
    const cached = this.#fetched.get(id);
    if (cached !== undefined) return cached;
    const loading = this.#fetchAnchor(id).then((answer) => {
      if (!answer.ok) throw new CheckUnavailableError(`proof ${id}: ${answer.error.code}: ${answer.error.message}`);
      // Not anchored yet as far as this answer goes: ask again next time.
      if (answer.value.anchor === null) this.#fetched.delete(id);
      return answer.value;
    });
    this.#fetched.set(id, loading);
    loading.catch(() => this.#fetched.delete(id));
    return loading;
  }
}

let checker: AnchorChecker | undefined;

/** One anchor checker per page, sharing the pinned set and its certificate cache. */
export function browserAnchorChecker(): AnchorChecker {
  checker ??= new AnchorChecker(browserChainPin(), chainApi.proofAnchor);
  return checker;
}
