// The link MAC keys: both ends of a handshake derive the same key, any change to the transcript
// gives another, and a MESSAGE frame with any byte changed, or under another key, fails its MAC.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '@/lib/bytes';
import { decodeFrame, encodeMessage, encodeMessageBody, FRAME_MESSAGE } from './envelope';
import { checkFrameMac, deriveLinkKey, generateLinkEphemeral, type LinkTranscript, MAC_LENGTH, macFrame } from './link-keys';

const bytes = (length: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: length, maxLength: length });

function handshake(): { transcript: LinkTranscript; client: ReturnType<typeof generateLinkEphemeral>; server: ReturnType<typeof generateLinkEphemeral> } {
  const client = generateLinkEphemeral();
  const server = generateLinkEphemeral();
  return {
    client,
    server,
    transcript: {
      genesisHash: new Uint8Array(32).fill(7),
      from: 0,
      to: 1,
      serverNonce: new Uint8Array(32).fill(1),
      clientNonce: new Uint8Array(32).fill(2),
      clientEphemeral: client.publicKey,
      serverEphemeral: server.publicKey,
    },
  };
}

describe('link keys', () => {
  it('gives both ends the same 32-byte key, and another key for any other transcript', () => {
    const { transcript, client, server } = handshake();
    const dialer = deriveLinkKey(client.privateKey, server.publicKey, transcript);
    const dialed = deriveLinkKey(server.privateKey, client.publicKey, transcript);
    expect(dialer).not.toBeNull();
    expect(dialer?.length).toBe(32);
    expect(bytesEqual(dialer as Uint8Array, dialed as Uint8Array)).toBe(true);
    const changed: LinkTranscript[] = [
      { ...transcript, genesisHash: new Uint8Array(32).fill(8) },
      { ...transcript, from: 2 },
      { ...transcript, to: 2 },
      { ...transcript, serverNonce: new Uint8Array(32).fill(3) },
      { ...transcript, clientNonce: new Uint8Array(32).fill(3) },
      { ...transcript, clientEphemeral: generateLinkEphemeral().publicKey },
      { ...transcript, serverEphemeral: generateLinkEphemeral().publicKey },
    ];
    for (const other of changed) expect(bytesEqual(deriveLinkKey(client.privateKey, server.publicKey, other) as Uint8Array, dialer as Uint8Array)).toBe(false);
    // A fresh connection between the same two validators never reuses a key.
    const again = handshake();
    expect(bytesEqual(deriveLinkKey(again.client.privateKey, again.server.publicKey, again.transcript) as Uint8Array, dialer as Uint8Array)).toBe(false);
  });

  it('refuses unusable peer keys: wrong length, and small-order points (RFC 7748 §6.1)', () => {
    const { transcript, client } = handshake();
    expect(deriveLinkKey(client.privateKey, new Uint8Array(31), transcript)).toBeNull();
    expect(deriveLinkKey(client.privateKey, new Uint8Array(33), transcript)).toBeNull();
    // 0 and 1 are small-order u-coordinates: X25519 with them gives the all-zero secret.
    expect(deriveLinkKey(client.privateKey, new Uint8Array(32), transcript)).toBeNull();
    const one = new Uint8Array(32);
    one[0] = 1;
    expect(deriveLinkKey(client.privateKey, one, transcript)).toBeNull();
  });

  it('HMAC-SHA256 matches RFC 4231 test case 2', () => {
    const key = new TextEncoder().encode('Jefe');
    const tag = macFrame(key, new TextEncoder().encode('what do ya want for nothing?'));
    expect(Buffer.from(tag).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('a frame with any byte changed, or MACed under another key, fails (property)', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), fc.uint8Array({ maxLength: 300 }), fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), fc.nat(), fc.integer({ min: 1, max: 255 }), (key, otherKey, batch, seq, at, flip) => {
        const body = encodeMessageBody(2, 1, seq, batch);
        const frame = encodeMessage(body, macFrame(key, body));
        const decoded = decodeFrame(frame);
        expect(decoded?.kind).toBe(FRAME_MESSAGE);
        if (decoded?.kind !== FRAME_MESSAGE) return;
        expect(checkFrameMac(key, decoded.body, decoded.mac)).toBe(true);
        if (!bytesEqual(key, otherKey)) expect(checkFrameMac(otherKey, decoded.body, decoded.mac)).toBe(false);
        const changed = frame.slice();
        const index = at % changed.length;
        changed[index] = (changed[index] as number) ^ flip;
        const tampered = decodeFrame(changed);
        // A change to the kind byte makes it no MESSAGE at all; anything else fails the MAC.
        if (tampered?.kind === FRAME_MESSAGE) expect(checkFrameMac(key, tampered.body, tampered.mac)).toBe(false);
        expect(checkFrameMac(key, decoded.body, decoded.mac.subarray(0, MAC_LENGTH - 1))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
