// Seeding threads fast, through the REST API rather than the UI: an author whose key lives in the
// test process signs real proofs with lib/proof (the same code the browser uses) and submits them
// with POST /api/v1/proofs in a signed-in browser context's request client. Nothing is faked: the
// hub checks every proof as it checks a browser's.
import { randomBytes } from 'node:crypto';
import type { APIRequestContext, Page } from '@playwright/test';
import { publicKeyToDidKey } from '../../lib/crypto/did-key';
import { createSeedSigner } from '../../lib/crypto/keys';
import type { Signer } from '../../lib/crypto/types';
import { createContent, digestContent } from '../../lib/proof/content';
import { buildUnsignedProof, signProof } from '../../lib/proof/proof';
import type { BuildProofInput } from '../../lib/proof/proof';
import type { ProofType } from '../../lib/proof/schema';
import { PASSWORD, uniqueName } from '../fixtures';

export interface SeededItem {
  id: string;
  body: string;
}

/**
 * Signs the request context's cookie jar (shared with its pages) in with next-auth's credentials
 * callback, as the sign-in form does, without loading the page: several authors sign in at once
 * on a loaded machine. Checked with GET /api/v1/me.
 */
export async function signInOverApi(request: APIRequestContext, username: string): Promise<void> {
  const { csrfToken } = (await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const response = await request.post('/api/auth/callback/credentials', { form: { csrfToken, username, password: PASSWORD, json: 'true' } });
  if (!response.ok()) throw new Error(`sign-in ${response.status()}: ${await response.text()}`);
  const me = (await (await request.get('/api/v1/me')).json()) as { username?: string };
  if (me.username !== username) throw new Error(`signed in as ${String(me.username)}, not ${username}`);
}

export class ApiAuthor {
  readonly username: string;
  readonly did: string;
  readonly #signer: Signer;
  #seq = 0;
  #head: string | null = null;

  private constructor(username: string, signer: Signer) {
    this.username = username;
    this.#signer = signer;
    this.did = publicKeyToDidKey(signer.publicKey);
  }

  /** Signs up over the API (identity proof signed here), then signs the page's context in. */
  static async signUp(page: Page, prefix: string, name: string): Promise<ApiAuthor> {
    const author = new ApiAuthor(uniqueName(prefix), createSeedSigner(randomBytes(32)));
    const identity = await author.#sign({ type: 'identity', hub: 'public', claim: { name } });
    const response = await page.request.post('/api/v1/auth/signup', { data: { username: author.username, password: PASSWORD, identity } });
    if (!response.ok()) throw new Error(`signup ${response.status()}: ${await response.text()}`);
    await signInOverApi(page.request, author.username);
    return author;
  }

  async #sign<T extends ProofType>(input: Pick<BuildProofInput<T>, 'type' | 'hub' | 'claim'>): Promise<Record<string, unknown>> {
    const built = buildUnsignedProof({ ...input, issuer: this.did, seq: this.#seq + 1, prev: this.#head, created_at: new Date() });
    if (!built.ok) throw new Error(built.error.message);
    const signed = await signProof(built.value, this.#signer);
    this.#seq += 1;
    this.#head = signed.id;
    return signed;
  }

  async #submit(request: APIRequestContext, proof: Record<string, unknown>, content?: unknown): Promise<void> {
    const response = await request.post('/api/v1/proofs', { data: content === undefined ? { proof } : { proof, content } });
    if (!response.ok()) throw new Error(`submit ${response.status()}: ${await response.text()}`);
  }

  async post(request: APIRequestContext, hub: string, title: string, body: string): Promise<SeededItem> {
    const content = createContent({ body, title }, randomBytes(16));
    if (!content.ok) throw new Error(content.error.message);
    const proof = await this.#sign({ type: 'post', hub, claim: { content_digest: digestContent(content.value), visibility: 'public' } });
    await this.#submit(request, proof, content.value);
    return { id: proof.id as string, body };
  }

  async reply(request: APIRequestContext, hub: string, parent: string, root: string, body: string): Promise<SeededItem> {
    const content = createContent({ body }, randomBytes(16));
    if (!content.ok) throw new Error(content.error.message);
    const proof = await this.#sign({ type: 'reply', hub, claim: { parent, root, content_digest: digestContent(content.value) } });
    await this.#submit(request, proof, content.value);
    return { id: proof.id as string, body };
  }
}
