// The genesis validator set this page trusts, fetched and pinned once per page load. The hub's
// answer is not taken on its word: lib/verify recomputes the genesis hash from the genesis file
// it carries and checks the listed keys against it; every certificate on this page is then
// checked against those keys (the same Ed25519 rule as the server: nobleVerifier). A second,
// different answer later in the page's life cannot replace the pin.
import { nobleVerifier } from '@/lib/crypto/ed25519';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { CertificateVerifier } from '@/lib/verify/certificates';
import { verifyValidatorSet } from '@/lib/verify/validator-set';
import type { PinnedChain } from '@/lib/verify/validator-set';
import type { ApiResult } from '../api/client';
import type { ValidatorsAnswer } from '../chain/chain-client';
import { chainApi } from '../chain/chain-client';
import type { InvalidReason } from './badge-state';

export interface Pinned {
  readonly chain: PinnedChain;
  /** Shared by every anchor on the page: each distinct certificate costs its signatures once. */
  readonly certificates: CertificateVerifier;
  readonly verifier: SignatureVerifier;
  /** The hub's answer as received (for display: dids, liveness). */
  readonly answer: ValidatorsAnswer;
}

/** The validator set does not check: a verdict (every anchor on this page is unverifiable). */
export type PinResult = { ok: true; pinned: Pinned } | { ok: false; reason: InvalidReason };

/** The hub could not be asked: not a verdict, try again later. */
export class ChainUnavailableError extends Error {
  override readonly name = 'ChainUnavailableError';
}

export function pinValidatorSet(answer: ValidatorsAnswer, verifier: SignatureVerifier = nobleVerifier): PinResult {
  const checked = verifyValidatorSet(answer.set);
  if (!checked.ok) return { ok: false, reason: { code: checked.error.code, message: checked.error.message } };
  return { ok: true, pinned: { chain: checked.value, certificates: new CertificateVerifier(checked.value, verifier), verifier, answer } };
}

export class ChainPin {
  readonly #load: () => Promise<ApiResult<ValidatorsAnswer>>;
  #pin: Promise<PinResult> | undefined;

  constructor(load: () => Promise<ApiResult<ValidatorsAnswer>> = chainApi.validators) {
    this.#load = load;
  }

  /** The pinned set; throws ChainUnavailableError when the hub cannot be reached (retried next call). */
  get(): Promise<PinResult> {
    if (this.#pin !== undefined) return this.#pin;
    const loading = this.#fetch();
    this.#pin = loading;
    loading.catch(() => {
      if (this.#pin === loading) this.#pin = undefined;
    });
    return loading;
  }

  async #fetch(): Promise<PinResult> {
    const answer = await this.#load();
    if (!answer.ok) {
      if (answer.error.code === 'bad_response') return { ok: false, reason: { code: 'invalid_validator_set', message: answer.error.message } };
      throw new ChainUnavailableError(`validator set: ${answer.error.code}: ${answer.error.message}`);
    }
    return pinValidatorSet(answer.value);
  }
}

let pagePin: ChainPin | undefined;

/** One pin per page load. */
export function browserChainPin(): ChainPin {
  pagePin ??= new ChainPin();
  return pagePin;
}
