// Peer links on real loopback sockets: authenticated delivery in order (messages sent together
// share a MACed frame), and every kind of bad input (malformed, oversized, wrongly signed
// handshake, wrong MAC, replayed, unknown key, a batch that does not parse) delivers nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { bytesEqual, bytesToHex, hexToBytes, utf8Decode, utf8Encode } from '@/lib/bytes';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { parseGenesis, type Genesis } from '../genesis';
import { generateValidatorKey, type ValidatorKey } from '../keys';
import { silentLogger } from '../logger';
import {
  decodeBatch,
  decodeFrame,
  encodeBatch,
  encodeChallenge,
  encodeHello,
  encodeMessage,
  encodeMessageBody,
  encodeWelcome,
  FRAME_CHALLENGE,
  FRAME_HELLO,
  FRAME_MESSAGE,
  FRAME_WELCOME,
  helloSigningBytes,
  welcomeSigningBytes,
} from './envelope';
import { checkFrameMac, deriveLinkKey, generateLinkEphemeral } from './link-keys';
import { PEER_PATH, PeerLinks } from './peer-links';
import { type DialerSession, dialAs } from './test-dialer';

interface Node {
  links: PeerLinks;
  server: Server;
  received: { from: number; text: string }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await (cleanups.pop() as () => Promise<void>)();
});

async function listen(): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function makeNetwork(): Promise<{ genesis: Genesis; keys: ValidatorKey[]; servers: Server[] }> {
  const keys = Array.from({ length: 4 }, () => generateValidatorKey());
  const servers: Server[] = [];
  for (let i = 0; i < 4; i++) servers.push(await listen());
  cleanups.push(async () => {
    for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const genesis = parseGenesis({
    chain_id: 'links-test',
    created_at: '2026-01-01T00:00:00.000Z',
    validators: keys.map((key, index) => ({ index, public_key: bytesToHex(key.publicKey), host: '127.0.0.1', port: (servers[index]?.address() as AddressInfo).port })),
  });
  return { genesis, keys, servers };
}

function startNode(genesis: Genesis, keys: ValidatorKey[], servers: Server[], index: number, maxFrameBytes = 64 * 1024): Node {
  const received: { from: number; text: string }[] = [];
  const links = new PeerLinks({
    genesis,
    selfIndex: index,
    key: keys[index] as ValidatorKey,
    verifier: nodeVerifier,
    onMessage: (from, payload) => received.push({ from, text: utf8Decode(payload) }),
    log: silentLogger,
    maxFrameBytes,
    minBackoffMs: 20,
    maxBackoffMs: 200,
  });
  const server = servers[index] as Server;
  server.on('upgrade', (request, socket, head) => {
    if (request.url === PEER_PATH) links.handleUpgrade(request, socket, head);
    else socket.destroy();
  });
  links.start();
  cleanups.push(() => links.close());
  return { links, server, received };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A hand-driven client that speaks the link protocol (or misbehaves), for attack tests. */
async function rawClient(port: number): Promise<{ socket: WebSocket; challenge: Uint8Array; frames: Uint8Array[] }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${PEER_PATH}`);
  const frames: Uint8Array[] = [];
  socket.on('message', (data: Buffer) => frames.push(new Uint8Array(data)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  await until(() => frames.length > 0, 'challenge');
  const challenge = decodeFrame(frames[0] as Uint8Array);
  if (challenge?.kind !== FRAME_CHALLENGE) throw new Error('expected a challenge');
  return { socket, challenge: challenge.nonce, frames };
}

function concatTrailing(bytes: Uint8Array, extra: number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes);
  out.set(extra, bytes.length);
  return out;
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 150));
}

describe('peer links', () => {
  it('delivers authenticated messages in order between validators, and broadcasts', async () => {
    const { genesis, keys, servers } = await makeNetwork();
    const nodes = [0, 1, 2, 3].map((i) => startNode(genesis, keys, servers, i));
    await until(() => nodes.every((node) => node.links.connectedCount() === 3), 'full mesh');
    for (let i = 0; i < 50; i++) nodes[0]?.links.send(1, utf8Encode(`m${i}`));
    nodes[2]?.links.broadcast(utf8Encode('hello all'));
    await until(() => (nodes[1]?.received.length ?? 0) === 51, 'delivery to 1');
    expect(nodes[1]?.received.filter((m) => m.from === 0).map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    for (const i of [0, 1, 3]) await until(() => nodes[i]?.received.some((m) => m.from === 2 && m.text === 'hello all') ?? false, `broadcast to ${i}`);
    expect(nodes[2]?.received).toEqual([]);
  });

  it('delivers every message of a batch in order, and splits messages sent together at the frame cap', async () => {
    const { genesis, keys, servers } = await makeNetwork();
    const nodes = [0, 1].map((i) => startNode(genesis, keys, servers, i, 4096));
    await until(() => nodes[0]?.links.status().find((p) => p.index === 1)?.outbound === true, 'link 0→1');
    // 12 messages of 1,000 bytes sent together: at most three fit under the 4 KiB cap, so
    // they leave in several frames, and arrive whole and in order.
    const texts = Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')}${'y'.repeat(998)}`);
    for (const text of texts) nodes[0]?.links.send(1, utf8Encode(text));
    await until(() => (nodes[1]?.received.length ?? 0) === 12, 'delivery of 12');
    expect(nodes[1]?.received.map((m) => m.text)).toEqual(texts);
    expect(nodes[1]?.links.drops().size).toBe(0);
  });

  it('encodes and decodes batches exactly', () => {
    const messages = [utf8Encode('a'), new Uint8Array(0), utf8Encode('ccc')];
    const batch = encodeBatch(messages);
    expect(batch.length).toBe(3 * 4 + 4);
    expect(decodeBatch(batch)?.map((m) => utf8Decode(m))).toEqual(['a', '', 'ccc']);
    expect(decodeBatch(batch.subarray(0, batch.length - 1))).toBeNull();
    expect(decodeBatch(batch.subarray(0, 3))).toBeNull();
    expect(decodeBatch(new Uint8Array(0))).toBeNull();
  });

  it('reconnects after a peer restarts and resumes delivery with a new session', async () => {
    const { genesis, keys, servers } = await makeNetwork();
    const a = startNode(genesis, keys, servers, 0);
    let b = startNode(genesis, keys, servers, 1);
    await until(() => a.links.status().find((p) => p.index === 1)?.outbound === true, 'link 0→1');
    a.links.send(1, utf8Encode('before'));
    await until(() => b.received.length === 1, 'first delivery');
    await b.links.close();
    servers[1]?.removeAllListeners('upgrade');
    b = startNode(genesis, keys, servers, 1);
    a.links.send(1, utf8Encode('after'));
    await until(() => b.received.some((m) => m.text === 'after'), 'delivery after restart');
    expect(b.received.map((m) => m.text)).toEqual(['after']);
  });

  it('drops malformed, oversized, unknown-key, wrongly signed, wrongly MACed and replayed frames', async () => {
    const { genesis, keys, servers } = await makeNetwork();
    const target = startNode(genesis, keys, servers, 1, 4096);
    const port = (servers[1]?.address() as AddressInfo).port;
    const context = { genesisHash: hexToBytes(genesis.hash) };

    // Malformed: garbage and text frames before the handshake.
    const garbage = await rawClient(port);
    garbage.socket.send(new Uint8Array([9, 9, 9]));
    garbage.socket.send('{"not":"binary"}');

    // Unknown key: a key outside genesis claims index 3.
    const stranger = generateValidatorKey();
    const impostor = await rawClient(port);
    impostor.socket.send(dialAs(context, (m) => stranger.sign(m), 3, 1, impostor.challenge).hello);

    // An index that is not a validator at all.
    const outsider = await rawClient(port);
    outsider.socket.send(dialAs(context, (m) => stranger.sign(m), 77, 1, outsider.challenge).hello);

    // A genuine validator (index 2, key known to the test) handshakes, then misbehaves.
    const honest = await rawClient(port);
    const key2 = keys[2] as ValidatorKey;
    const session = dialAs(context, (m) => key2.sign(m), 2, 1, honest.challenge);
    honest.socket.send(session.hello);
    await until(() => honest.frames.some((frame) => decodeFrame(frame)?.kind === FRAME_WELCOME), 'welcome');
    const welcome = decodeFrame(honest.frames.find((frame) => decodeFrame(frame)?.kind === FRAME_WELCOME) as Uint8Array);
    if (welcome?.kind !== FRAME_WELCOME || session.accept(welcome) === null) throw new Error('expected a welcome');
    const frame = (seq: bigint, text: string, key?: Uint8Array, from?: number): Uint8Array => session.frame(seq, encodeBatch([utf8Encode(text)]), key, from);
    const good = frame(1n, 'one');
    honest.socket.send(good);
    honest.socket.send(good); // replay: same seq
    honest.socket.send(frame(2n, 'forged', new Uint8Array(randomBytes(32)))); // MAC under another key
    const tampered = frame(3n, 'three');
    tampered.set([(tampered[tampered.length - 35] ?? 0) ^ 1], tampered.length - 35); // flip a payload byte under the MAC
    honest.socket.send(tampered);
    const badTag = frame(4n, 'bad tag');
    badTag.set([(badTag[badTag.length - 1] ?? 0) ^ 0x80], badTag.length - 1); // flip a bit of the tag itself
    honest.socket.send(badTag);
    honest.socket.send(frame(5n, 'wrong sender', undefined, 3)); // claims another index inside the session
    // Correctly MACed batches that do not parse: a length running past the end, bytes left over
    // after the last entry, no entry at all. None of their messages is delivered.
    const whole = encodeBatch([utf8Encode('lost-a'), utf8Encode('lost-b')]);
    const overrun = whole.slice();
    new DataView(overrun.buffer).setUint32(0, 7); // 'lost-a' is 6 bytes: the second entry's header is misread
    honest.socket.send(session.frame(6n, overrun));
    honest.socket.send(session.frame(7n, concatTrailing(whole, [0, 0]))); // two stray bytes after the last entry
    honest.socket.send(session.frame(8n, new Uint8Array(0)));
    // A batch with a byte flipped in its second message fails the frame's one MAC: neither goes.
    const two = session.frame(9n, encodeBatch([utf8Encode('first'), utf8Encode('second')]));
    two.set([(two[two.length - 33] ?? 0) ^ 1], two.length - 33);
    honest.socket.send(two);
    honest.socket.send(frame(10n, 'x'.repeat(5000))); // over the 4 KiB cap: the link is cut
    await until(() => honest.socket.readyState === WebSocket.CLOSED, 'oversized frame closes the link');

    await settle();
    expect(target.received).toEqual([{ from: 2, text: 'one' }]);
    const drops = target.links.drops();
    expect(drops.get('replay')).toBe(1);
    expect(drops.get('bad_signature')).toBe(1); // the impostor's hello
    expect(drops.get('bad_mac')).toBe(4); // other key, tampered payload, tampered tag, tampered batch
    expect(drops.get('unknown_sender')).toBeGreaterThanOrEqual(2); // outsider index, wrong sender
    expect(drops.get('oversized')).toBe(1);
    expect(drops.get('malformed')).toBeGreaterThanOrEqual(4); // garbage before the handshake, three bad batches
    expect(garbage.socket.readyState).toBe(WebSocket.CLOSED);
    expect(impostor.socket.readyState).toBe(WebSocket.CLOSED);
    expect(outsider.socket.readyState).toBe(WebSocket.CLOSED);
    for (const client of [garbage, impostor, outsider, honest]) client.socket.terminate();
  });

  it('refuses a hello whose ephemeral key was swapped after signing, or is a small-order point', async () => {
    const { genesis, keys, servers } = await makeNetwork();
    const target = startNode(genesis, keys, servers, 1);
    const port = (servers[1]?.address() as AddressInfo).port;
    const context = { genesisHash: hexToBytes(genesis.hash) };
    const key0 = keys[0] as ValidatorKey;
    // A man in the middle replaces the dialer's X25519 key with its own: the signature no longer covers it.
    const swapped = await rawClient(port);
    const hello = dialAs(context, (m) => key0.sign(m), 0, 1, swapped.challenge).hello.slice();
    hello.set(generateLinkEphemeral().publicKey, 1 + 2 + 2 + 64);
    swapped.socket.send(hello);
    // A genuine validator signs an all-zero X25519 key (RFC 7748 §6.1: the shared secret would be zero).
    const weak = await rawClient(port);
    const nonce = new Uint8Array(randomBytes(32));
    const zero = new Uint8Array(32);
    weak.socket.send(encodeHello(0, 1, weak.challenge, nonce, zero, key0.sign(helloSigningBytes(context, 0, 1, weak.challenge, nonce, zero))));
    await until(() => swapped.socket.readyState === WebSocket.CLOSED && weak.socket.readyState === WebSocket.CLOSED, 'both cut');
    expect(target.links.drops().get('bad_signature')).toBe(1);
    expect(target.links.drops().get('handshake_failed')).toBe(1);
    expect(swapped.frames.some((frame) => decodeFrame(frame)?.kind === FRAME_WELCOME)).toBe(false);
    expect(weak.frames.some((frame) => decodeFrame(frame)?.kind === FRAME_WELCOME)).toBe(false);
    expect(target.received).toEqual([]);
  });

  it('does not accept a frame captured on one session in another', async () => {
    const { genesis, keys, servers } = await makeNetwork();
    const target = startNode(genesis, keys, servers, 1);
    const port = (servers[1]?.address() as AddressInfo).port;
    const context = { genesisHash: hexToBytes(genesis.hash) };
    const key0 = keys[0] as ValidatorKey;
    const open = async (): Promise<{ socket: WebSocket; session: DialerSession }> => {
      const client = await rawClient(port);
      const session = dialAs(context, (m) => key0.sign(m), 0, 1, client.challenge);
      client.socket.send(session.hello);
      await until(() => client.frames.length === 2, 'welcome');
      const welcome = decodeFrame(client.frames[1] as Uint8Array);
      if (welcome?.kind !== FRAME_WELCOME || session.accept(welcome) === null) throw new Error('expected a welcome');
      return { socket: client.socket, session };
    };
    const first = await open();
    const captured = first.session.frame(1n, encodeBatch([utf8Encode('captured')]));
    first.socket.send(captured);
    await until(() => target.received.length === 1, 'first delivery');
    first.socket.terminate();
    const second = await open();
    expect(bytesEqual(second.session.macKey as Uint8Array, first.session.macKey as Uint8Array)).toBe(false);
    second.socket.send(captured);
    await settle();
    expect(target.received.map((m) => m.text)).toEqual(['captured']);
    expect(target.links.drops().get('bad_mac')).toBe(1);
    second.socket.terminate();
  });
  it('the dialer refuses a welcome whose X25519 key was swapped after signing or is a small-order point, and MACs frames the dialed side can check', async () => {
    const { genesis, keys, servers } = await makeNetwork();
    const context = { genesisHash: hexToBytes(genesis.hash) };
    const key1 = keys[1] as ValidatorKey;
    // Validator 1's port is served by this hand-written peer; the first two connections answer
    // with a bad welcome, the third with a good one.
    const peer = new WebSocketServer({ noServer: true });
    servers[1]?.on('upgrade', (request, socket, head) => peer.handleUpgrade(request, socket, head, (ws) => peer.emit('connection', ws)));
    cleanups.push(() => new Promise<void>((resolve) => peer.close(() => resolve())));
    let connections = 0;
    const messagesOn: number[] = [];
    const delivered: string[] = [];
    peer.on('connection', (ws: WebSocket) => {
      const attempt = ++connections;
      const serverNonce = new Uint8Array(randomBytes(32));
      const ephemeral = generateLinkEphemeral();
      let macKey: Uint8Array | null = null;
      ws.on('message', (data: Buffer) => {
        const frame = decodeFrame(new Uint8Array(data));
        if (frame?.kind === FRAME_HELLO) {
          const sent = attempt === 2 ? new Uint8Array(32) : ephemeral.publicKey;
          const signature = key1.sign(welcomeSigningBytes(context, 1, 0, frame.clientNonce, serverNonce, frame.ephemeral, sent));
          const claimed = attempt === 1 ? generateLinkEphemeral().publicKey : sent;
          macKey = deriveLinkKey(ephemeral.privateKey, frame.ephemeral, { genesisHash: context.genesisHash, from: 0, to: 1, serverNonce, clientNonce: frame.clientNonce, clientEphemeral: frame.ephemeral, serverEphemeral: ephemeral.publicKey });
          ws.send(encodeWelcome(1, 0, claimed, signature));
        } else if (frame?.kind === FRAME_MESSAGE) {
          messagesOn.push(attempt);
          if (macKey && checkFrameMac(macKey, frame.body, frame.mac)) for (const message of decodeBatch(frame.batch) ?? []) delivered.push(utf8Decode(message));
        }
      });
      ws.send(encodeChallenge(1, serverNonce));
    });
    const dialer = startNode(genesis, keys, servers, 0);
    dialer.links.send(1, utf8Encode('after a good handshake only'));
    await until(() => delivered.length === 1, 'delivery on the third connection');
    expect(delivered).toEqual(['after a good handshake only']);
    expect(messagesOn).toEqual([3]);
    expect(dialer.links.drops().get('handshake_failed')).toBe(2);
  });

  it('random frames after a handshake deliver nothing, and each is counted once (50 fast-check frames, fixed seed)', async () => {
    const { genesis, keys, servers } = await makeNetwork();
    const target = startNode(genesis, keys, servers, 1);
    const port = (servers[1]?.address() as AddressInfo).port;
    const context = { genesisHash: hexToBytes(genesis.hash) };
    const key2 = keys[2] as ValidatorKey;
    const client = await rawClient(port);
    const session = dialAs(context, (m) => key2.sign(m), 2, 1, client.challenge);
    client.socket.send(session.hello);
    await until(() => client.frames.some((frame) => decodeFrame(frame)?.kind === FRAME_WELCOME), 'welcome');
    const welcome = decodeFrame(client.frames[1] as Uint8Array);
    if (welcome?.kind !== FRAME_WELCOME || session.accept(welcome) === null) throw new Error('expected a welcome');
    const frameArb = fc.oneof(
      // Well-formed MESSAGE frames with any seq, batch and a tag not made with the key.
      fc
        .record({ seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), batch: fc.uint8Array({ maxLength: 200 }), tag: fc.uint8Array({ minLength: 32, maxLength: 32 }) })
        .map(({ seq, batch, tag }) => encodeMessage(encodeMessageBody(2, 1, seq, batch), tag)),
      // A real frame with one byte changed.
      fc.record({ text: fc.string({ maxLength: 50 }), at: fc.nat(), flip: fc.integer({ min: 1, max: 255 }) }).map(({ text, at, flip }) => {
        const frame = session.frame(1n, encodeBatch([utf8Encode(text)]));
        const index = at % frame.length;
        frame[index] = (frame[index] as number) ^ flip;
        return frame;
      }),
      // Anything at all.
      fc.uint8Array({ maxLength: 300 }),
    );
    const frames = fc.sample(fc.array(frameArb, { minLength: 50, maxLength: 50 }), { numRuns: 1, seed: 6 })[0] as Uint8Array[];
    for (const frame of frames) client.socket.send(frame);
    const total = (): number => [...target.links.drops().values()].reduce((sum, count) => sum + count, 0);
    await until(() => total() === frames.length, 'every frame counted');
    await settle();
    expect(total()).toBe(frames.length);
    expect(target.received).toEqual([]);
    // The link still works: the next honest frame is delivered.
    client.socket.send(session.frame(1n, encodeBatch([utf8Encode('still here')])));
    await until(() => target.received.length === 1, 'honest frame after the garbage');
    expect(target.received).toEqual([{ from: 2, text: 'still here' }]);
    client.socket.terminate();
  });
});
