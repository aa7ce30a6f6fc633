// Commit certificates as a light client checks them, memoized: a 1,000-item thread anchored to a
// handful of certified heads shares a handful of certificates, and each costs a quorum of Ed25519
// verifications. A certificate is identified by the RFC 8785 form of its wire object (header and
// QC), so an altered copy of a verified certificate is a different key and is checked afresh.
import { canonicalizeJson } from '../canonical-json';
import { verifyCommitCertificate, type CertifiedTreeHead } from '../consensus/certificates';
import { decodeBlockHeader, decodeQuorumCert } from '../consensus/wire';
import type { SignatureVerifier } from '../crypto/types';
import { fail, ok, type Result } from '../errors';
import { commitCertificateSchema } from '../protocol/chain';
import type { PinnedChain } from './validator-set';
import type { ChainVerifyErrorCode } from './errors';

export type CertificateVerdict = Result<CertifiedTreeHead, ChainVerifyErrorCode>;

/** Verifies commit certificates against one pinned set, each distinct certificate once. */
export class CertificateVerifier {
  readonly #pinned: PinnedChain;
  readonly #verifier: SignatureVerifier;
  readonly #verdicts = new Map<string, CertificateVerdict>();

  constructor(pinned: PinnedChain, verifier: SignatureVerifier) {
    this.#pinned = pinned;
    this.#verifier = verifier;
  }

  get pinned(): PinnedChain {
    return this.#pinned;
  }

  /** Distinct certificates checked so far (each cost a quorum of signature checks at most once). */
  get checkedCount(): number {
    return this.#verdicts.size;
  }

  /** {height, logSize, logRoot, blockHash} of the certified head, or why the certificate fails. Never throws. */
  verify(certificate: unknown): CertificateVerdict {
    const parsed = commitCertificateSchema.safeParse(certificate);
    if (!parsed.success) return fail('invalid_certificate', 'not a commit certificate {header, qc}', { reason: 'invalid_message' });
    const key = canonicalizeJson(parsed.data);
    const known = this.#verdicts.get(key);
    if (known !== undefined) return known;
    const verdict = this.#verifyUncached(parsed.data);
    this.#verdicts.set(key, verdict);
    return verdict;
  }

  #verifyUncached(wire: { header: unknown; qc: unknown }): CertificateVerdict {
    const header = decodeBlockHeader(wire.header);
    const qc = decodeQuorumCert(wire.qc);
    if (!header.ok || !qc.ok) return fail('invalid_certificate', 'certificate header or QC does not decode', { reason: 'invalid_message' });
    const checked = verifyCommitCertificate(this.#pinned, header.value, qc.value, this.#verifier);
    if (!checked.ok) return fail('invalid_certificate', `certificate: ${checked.error.message}`, { reason: checked.error.code });
    return ok(checked.value);
  }
}
