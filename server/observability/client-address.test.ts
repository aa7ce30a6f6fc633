// X-Forwarded-For is believed only from TRUST_PROXY addresses, read right to left past trusted hops.
import { describe, expect, it } from 'vitest';
import { clientAddress, parseTrustedProxies } from './client-address';

const request = (remoteAddress: string, forwarded?: string) => ({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } });

describe('clientAddress', () => {
  const trusted = parseTrustedProxies('127.0.0.1, 10.0.0.2');

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientAddress(request('203.0.113.9', '1.2.3.4'), trusted)).toBe('203.0.113.9');
    expect(clientAddress(request('203.0.113.9', '1.2.3.4'), parseTrustedProxies(undefined))).toBe('203.0.113.9');
  });

  it('takes the first untrusted hop from the right behind trusted proxies', () => {
    expect(clientAddress(request('::ffff:127.0.0.1', '198.51.100.7'), trusted)).toBe('198.51.100.7');
    // The client wrote a fake first entry; the proxies appended what they saw.
    expect(clientAddress(request('127.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.2'), trusted)).toBe('198.51.100.7');
  });

  it('falls back to the peer without a header, and to the leftmost hop when every hop is trusted', () => {
    expect(clientAddress(request('127.0.0.1'), trusted)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', '10.0.0.2, 127.0.0.1'), trusted)).toBe('10.0.0.2');
  });
});
