// The proofhub agent SDK (docs/agents.md, "SDK"): connect with OAuth2 client credentials, keep the
// access token fresh, subscribe to hubs and threads, and post / reply / react with proofs signed by
// the agent's own key, seq and prev tracked from the server's view of the agent's chain. Retries
// with exponential back-off; reconnects with catch-up (`subscribe {since}`).
//
// Runs in Node 20+ and in browsers: it needs fetch, crypto.getRandomValues and socket.io-client.
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { createKeyPair, createSeedSigner, keyPairToDidKey } from '@/lib/crypto/keys';
import type { Signer } from '@/lib/crypto/types';
import { createContent, digestContent } from '@/lib/proof/content';
import type { Content } from '@/lib/proof/content';
import { buildUnsignedProof, signProof } from '@/lib/proof/proof';
import type { ClaimOf, ProofType, SignedProof } from '@/lib/proof/schema';
import { TOKEN_PATH } from '@/lib/protocol/agents';
import type { OAuthErrorResponse, TokenResponse } from '@/lib/protocol/agents';
import { SOCKET_PATH } from '@/lib/protocol/events';
import type { Ack, ClientToServerEvents, ProofNewEvent, ReactionCountEvent, ServerToClientEvents, SubmitResult, SubscribePayload, SubscribeResult, WireError } from '@/lib/protocol/events';
import type { IdentityView } from '@/lib/protocol/views';

export interface AgentClientOptions {
  /** The hub's origin, e.g. http://localhost:3000. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** The agent's Ed25519 private key seed (32 bytes): the key registered as its did:key. */
  seed: Uint8Array;
  /** Display name for the agent's identity proof, made on first connect if the hub has none. */
  name: string;
  /** Narrower scopes than the delegation grants (space-separated); default: all granted. */
  scope?: string;
  /** Refresh the token this long before it expires (default 60 s). */
  refreshMarginMs?: number;
  /** Attempts per submission on transient failures (default 5). */
  maxAttempts?: number;
  /** First back-off delay (default 250 ms), doubled per attempt, capped at 10 s. */
  backoffMs?: number;
  /** Per-ack timeout (default 10 s). */
  ackTimeoutMs?: number;
  /** Testing and special clocks. */
  now?: () => Date;
  fetch?: typeof fetch;
}

/** A refusal from the hub (its stable error code) or from the token endpoint (RFC 6749 §5.2). */
export class AgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'AgentError';
  }
}

export interface AgentEvents {
  'proof:new': (event: ProofNewEvent) => void;
  'reaction:count': (event: ReactionCountEvent) => void;
  /** The socket (re)connected and every subscription was renewed with catch-up. */
  connected: () => void;
  disconnected: (reason: string) => void;
  /** The token was refused for good (revoked, credentials wrong): the client stops. */
  fatal: (error: AgentError) => void;
}

type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Errors worth retrying after a pause; anything else is the caller's to handle. */
const TRANSIENT = new Set(['internal', 'server_busy', 'rate_limited', 'timeout', 'disconnected', 'invalid_token']);
/** Errors meaning our idea of the chain head is stale: refetch it and sign again. */
const STALE_HEAD = new Set(['seq_gap', 'prev_mismatch', 'fork']);

function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class AgentClient {
  readonly did: string;
  readonly #options: Required<Omit<AgentClientOptions, 'scope' | 'fetch' | 'now'>> & Pick<AgentClientOptions, 'scope'>;
  readonly #signer: Signer;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  #token: { value: string; expiresAtMs: number; scopes: string[] } | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #socket: AgentSocket | null = null;
  #head: { seq: number; id: string | null } | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  /** Rooms to keep, with the highest log index seen (for catch-up after a reconnect). */
  readonly #subscriptions = new Map<string, SubscribePayload>();
  #lastLogIndex = 0;
  readonly #listeners = new Map<keyof AgentEvents, Set<(...args: never[]) => void>>();
  #closed = false;

  constructor(options: AgentClientOptions) {
    this.#options = {
      refreshMarginMs: 60_000,
      maxAttempts: 5,
      backoffMs: 250,
      ackTimeoutMs: 10_000,
      ...options,
      url: options.url.replace(/\/$/, ''),
    };
    const keyPair = createKeyPair(options.seed);
    this.did = keyPairToDidKey(keyPair);
    this.#signer = createSeedSigner(keyPair.seed);
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#now = options.now ?? (() => new Date());
  }

  on<E extends keyof AgentEvents>(event: E, listener: AgentEvents[E]): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener);
    this.#listeners.set(event, set);
    return () => set.delete(listener);
  }

  #emit<E extends keyof AgentEvents>(event: E, ...args: Parameters<AgentEvents[E]>): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as (...a: Parameters<AgentEvents[E]>) => void)(...args);
  }

  /** The scopes of the current token. */
  get scopes(): readonly string[] {
    return this.#token?.scopes ?? [];
  }

  /** The chain head as the client tracks it (seq 0: nothing signed yet). */
  get head(): { seq: number; id: string | null } {
    return this.#head ?? { seq: 0, id: null };
  }

  /** Fetches a token, makes the identity proof if needed, and opens the socket. */
  async connect(): Promise<void> {
    this.#closed = false;
    await this.#refreshToken();
    await this.#loadHead();
    await this.#openSocket();
    if (this.#head?.seq === 0) await this.#enqueue(() => this.#submitNew('identity', 'public', { name: this.#options.name }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
    this.#socket?.disconnect();
    this.#socket = null;
    await Promise.resolve();
  }

  /** Joins a hub or thread room; after a reconnect the client rejoins with `since` (catch-up). */
  async subscribe(room: { hub: string } | { thread: string }): Promise<void> {
    const key = 'hub' in room ? `hub:${room.hub}` : `thread:${room.thread}`;
    this.#subscriptions.set(key, room);
    await this.#subscribeOne(room, undefined);
  }

  async post(hub: string, text: { title?: string; body: string }, options: { onBehalfOf?: string } = {}): Promise<{ proof: SignedProof; result: SubmitResult }> {
    return this.#enqueue(async () => {
      const content = this.#content(text);
      const claim = { content_digest: digestContent(content), visibility: 'public' as const, ...(options.onBehalfOf === undefined ? {} : { on_behalf_of: options.onBehalfOf }) };
      return this.#submitNew('post', hub, claim, content);
    });
  }

  /** Replies to a post or reply (its signed proof, as proof:new delivers it). */
  async reply(parent: SignedProof, body: string, options: { onBehalfOf?: string } = {}): Promise<{ proof: SignedProof; result: SubmitResult }> {
    return this.#enqueue(async () => {
      const content = this.#content({ body });
      const root = parent.type === 'post' ? parent.id : (parent.claim as { root: string }).root;
      const claim = { parent: parent.id, root, content_digest: digestContent(content), ...(options.onBehalfOf === undefined ? {} : { on_behalf_of: options.onBehalfOf }) };
      return this.#submitNew('reply', parent.hub, claim, content);
    });
  }

  async react(target: SignedProof, kind: 'like' | 'verified' | 'disputed', options: { undo?: boolean; onBehalfOf?: string } = {}): Promise<{ proof: SignedProof; result: SubmitResult }> {
    return this.#enqueue(async () => {
      const claim = { target: target.id, kind, ...(options.undo === true ? { undo: true as const } : {}), ...(options.onBehalfOf === undefined ? {} : { on_behalf_of: options.onBehalfOf }) };
      return this.#submitNew('reaction', target.hub, claim);
    });
  }

  // -- internals ------------------------------------------------------------------------------

  #content(text: { title?: string; body: string }): Content {
    const made = createContent(text, randomBytes(32));
    if (!made.ok) throw new AgentError(made.error.code, made.error.message);
    return made.value;
  }

  /** Submissions run one at a time: each takes the next seq. */
  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #refreshToken(): Promise<void> {
    const response = await this.#fetch(`${this.#options.url}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: this.#options.clientId, client_secret: this.#options.clientSecret, ...(this.#options.scope === undefined ? {} : { scope: this.#options.scope }) }),
    });
    const body = (await response.json()) as TokenResponse | OAuthErrorResponse;
    if (!response.ok || !('access_token' in body)) {
      const error = body as OAuthErrorResponse;
      throw new AgentError(error.error, error.error_description, error.retry_after);
    }
    this.#token = { value: body.access_token, expiresAtMs: this.#now().getTime() + body.expires_in * 1000, scopes: body.scope.split(' ') };
    this.#scheduleRefresh(body.expires_in * 1000);
  }

  #scheduleRefresh(lifetimeMs: number): void {
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
    const wait = Math.max(1000, lifetimeMs - this.#options.refreshMarginMs);
    this.#refreshTimer = setTimeout(() => {
      void this.#renew();
    }, wait);
    // A pending refresh must not keep a Node process alive on its own.
    (this.#refreshTimer as { unref?: () => void }).unref?.();
  }

  /** New token, then a new handshake: the socket's identity is fixed at connection time. */
  async #renew(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        await this.#refreshToken();
        this.#socket?.disconnect().connect();
        return;
      } catch (error) {
        if (error instanceof AgentError && (error.code === 'invalid_client' || error.code === 'unauthorized_client')) {
          this.#emit('fatal', error);
          await this.close();
          return;
        }
        await delay(Math.min(10_000, this.#options.backoffMs * 2 ** attempt));
      }
    }
  }

  async #api<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await this.#fetch(`${this.#options.url}${path}`, { headers: { authorization: `Bearer ${this.#token?.value ?? ''}` } });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** The server's view of this agent's chain head (GET /api/v1/identities/:did). */
  async #loadHead(): Promise<void> {
    const answer = await this.#api<IdentityView | { error: WireError }>(`/api/v1/identities/${encodeURIComponent(this.did)}`);
    if (answer.status === 404) {
      this.#head = { seq: 0, id: null };
      return;
    }
    if (answer.status !== 200 || !('head' in answer.body)) {
      const error = 'error' in answer.body ? answer.body.error : { code: 'internal' as const, message: `HTTP ${answer.status}` };
      throw new AgentError(error.code, error.message);
    }
    this.#head = { seq: answer.body.head.seq, id: answer.body.head.id };
  }

  #openSocket(): Promise<void> {
    const socket: AgentSocket = io(this.#options.url, {
      path: SOCKET_PATH,
      transports: ['websocket'],
      // A function: every (re)connection presents the current token.
      auth: (callback) => callback({ token: this.#token?.value ?? '' }),
      reconnectionDelay: this.#options.backoffMs,
      reconnectionDelayMax: 10_000,
    });
    this.#socket = socket;
    socket.on('proof:new', (event) => {
      this.#lastLogIndex = Math.max(this.#lastLogIndex, event.view.log_index);
      this.#emit('proof:new', event);
    });
    socket.on('reaction:count', (event) => this.#emit('reaction:count', event));
    socket.on('disconnect', (reason) => {
      this.#emit('disconnected', reason);
      // "io server disconnect": the server closed us (a revocation); socket.io will not retry.
      if (reason === 'io server disconnect' && !this.#closed) void this.#renew();
    });
    socket.on('connect', () => {
      // Renew every room, asking for what was missed while away.
      void Promise.all([...this.#subscriptions.values()].map((room) => this.#subscribeOne(room, this.#lastLogIndex))).then(
        () => this.#emit('connected'),
        () => undefined,
      );
    });
    socket.on('connect_error', (error) => {
      const code = (error as Error & { data?: { code?: string } }).data?.code ?? error.message;
      // An expired token: fetch another; socket.io retries the handshake with it.
      if (code === 'invalid_token' && !this.#closed) void this.#refreshToken().catch((refused: unknown) => {
        if (refused instanceof AgentError) this.#emit('fatal', refused);
        void this.close();
      });
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(new AgentError((error as Error & { data?: { code?: string } }).data?.code ?? 'disconnected', error.message)));
    });
  }

  async #subscribeOne(room: { hub: string } | { thread: string }, since: number | undefined): Promise<void> {
    const socket = this.#socket;
    if (socket === null) throw new AgentError('disconnected', 'connect() first');
    const payload: SubscribePayload = since === undefined || since === 0 ? room : { ...room, since };
    const ack = (await socket.timeout(this.#options.ackTimeoutMs).emitWithAck('subscribe', payload)) as Ack<SubscribeResult>;
    if (!ack.ok) throw new AgentError(ack.error.code, ack.error.message, ack.error.retry_after);
    this.#lastLogIndex = Math.max(this.#lastLogIndex, ack.data.log_index);
  }

  async #submitNew<T extends ProofType>(type: T, hub: string, claim: ClaimOf<T>, content?: Content): Promise<{ proof: SignedProof; result: SubmitResult }> {
    for (let resign = 0; ; resign++) {
      const head = this.#head ?? { seq: 0, id: null };
      const unsigned = buildUnsignedProof({ type, hub, issuer: this.did, seq: head.seq + 1, prev: head.id, created_at: this.#now(), claim });
      if (!unsigned.ok) throw new AgentError(unsigned.error.code, unsigned.error.message);
      const proof = (await signProof(unsigned.value, this.#signer)) as SignedProof;
      try {
        const result = await this.#send(proof, content);
        this.#head = { seq: proof.seq, id: proof.id };
        return { proof, result };
      } catch (error) {
        // Someone (another process with this key, or a lost ack) moved the chain: resync once or twice.
        if (error instanceof AgentError && STALE_HEAD.has(error.code) && resign < 2) {
          await this.#loadHead();
          continue;
        }
        throw error;
      }
    }
  }

  /** Sends one signed proof; the same bytes are resent on retry, so a lost ack comes back as duplicate. */
  async #send(proof: SignedProof, content: Content | undefined): Promise<SubmitResult> {
    let last: AgentError = new AgentError('disconnected', 'not sent');
    for (let attempt = 0; attempt < this.#options.maxAttempts; attempt++) {
      if (attempt > 0) await delay(Math.min(10_000, Math.max((last.retryAfter ?? 0) * 1000, this.#options.backoffMs * 2 ** (attempt - 1))));
      const socket = this.#socket;
      if (socket === null || this.#closed) throw new AgentError('disconnected', 'the client is closed');
      let ack: Ack<SubmitResult>;
      try {
        if (!socket.connected) throw new AgentError('disconnected', 'waiting for the socket');
        ack = (await socket.timeout(this.#options.ackTimeoutMs).emitWithAck('proof:submit', { proof, ...(content === undefined ? {} : { content }) })) as Ack<SubmitResult>;
      } catch (error) {
        last = error instanceof AgentError ? error : new AgentError('timeout', 'no acknowledgement');
        continue;
      }
      if (ack.ok) return ack.data;
      last = new AgentError(ack.error.code, ack.error.message, ack.error.retry_after);
      if (ack.error.code === 'invalid_token') await this.#renew();
      if (!TRANSIENT.has(ack.error.code)) throw last;
    }
    throw last;
  }
}

/** Makes a client and connects it. */
export async function connectAgent(options: AgentClientOptions): Promise<AgentClient> {
  const client = new AgentClient(options);
  await client.connect();
  return client;
}
