// The dialing side of the link handshake, driven by hand: for tests that speak the link protocol
// as a validator would (or misbehave on purpose) without running a PeerLinks instance.
import { randomBytes } from 'node:crypto';
import { encodeHello, encodeMessage, encodeMessageBody, type LinkContext, NONCE_LENGTH, helloSigningBytes, type WelcomeFrame } from './envelope';
import { deriveLinkKey, generateLinkEphemeral, macFrame } from './link-keys';

export interface DialerSession {
  /** The HELLO to send in answer to the CHALLENGE. */
  readonly hello: Uint8Array;
  readonly clientNonce: Uint8Array;
  readonly ephemeral: Uint8Array;
  /** The MAC key once `accept` took a WELCOME (null before, or when its key was unusable). */
  macKey: Uint8Array | null;
  /** Derives the connection's MAC key from the WELCOME (its signature is not checked here). */
  accept(welcome: WelcomeFrame): Uint8Array | null;
  /** A MESSAGE frame carrying `batch` at `seq`, MACed under the session key (or `key`). */
  frame(seq: bigint, batch: Uint8Array, key?: Uint8Array, from?: number): Uint8Array;
}

export function dialAs(context: LinkContext, sign: (message: Uint8Array) => Uint8Array, from: number, to: number, serverNonce: Uint8Array): DialerSession {
  const clientNonce = new Uint8Array(randomBytes(NONCE_LENGTH));
  const ephemeral = generateLinkEphemeral();
  const signature = sign(helloSigningBytes(context, from, to, serverNonce, clientNonce, ephemeral.publicKey));
  const session: DialerSession = {
    hello: encodeHello(from, to, serverNonce, clientNonce, ephemeral.publicKey, signature),
    clientNonce,
    ephemeral: ephemeral.publicKey,
    macKey: null,
    accept(welcome) {
      session.macKey = deriveLinkKey(ephemeral.privateKey, welcome.ephemeral, {
        genesisHash: context.genesisHash,
        from,
        to,
        serverNonce,
        clientNonce,
        clientEphemeral: ephemeral.publicKey,
        serverEphemeral: welcome.ephemeral,
      });
      return session.macKey;
    },
    frame(seq, batch, key, frameFrom = from) {
      const macKey = key ?? session.macKey;
      if (!macKey) throw new Error('no MAC key: the handshake is not complete');
      const body = encodeMessageBody(frameFrom, to, seq, batch);
      return encodeMessage(body, macFrame(macKey, body));
    },
  };
  return session;
}
