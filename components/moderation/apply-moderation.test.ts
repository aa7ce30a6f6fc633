// The thread page's moderation state changes: a live update collapses or expands the target only,
// a replayed event without state asks for a reload, and the offered actions follow the state.
import { describe, expect, it } from 'vitest';
import type { ProofNewEvent } from '@/lib/protocol/events';
import type { ItemModeration } from '@/lib/protocol/moderation';
import type { ItemView } from '@/lib/protocol/views';
import { applyModerationEvent, availableActions, hiddenNotice, isHidden, moderatorName } from './apply-moderation';

function item(id: string, moderation?: ItemModeration): ItemView {
  return {
    proof: { v: 1, type: 'reply', hub: 'public', issuer: 'did:key:z6Mk', seq: 2, prev: null, created_at: '2026-11-23T00:00:00.000Z', claim: {}, evidence: [], id, sig: 's' },
    content: { salt: 's', body: 'text' },
    view: { id, type: 'reply', hub: 'public', issuer: 'did:key:z6Mk', seq: 2, log_index: 1, received_at: '2026-11-23T00:00:00.000Z', status: 'signed', thread: 'root', parent: 'root', depth: 1, signer: { did: 'did:key:z6Mk', username: null, display_name: null }, purged: false },
    counts: { like: 0, verified: 0, disputed: 0 },
    mine: null,
    ...(moderation === undefined ? {} : { moderation }),
  };
}

const hidden: ItemModeration = { hidden: true, hidden_reason: 'rude', hidden_by: { did: 'did:key:z6Mkmod', username: 'mod', display_name: 'Mod' }, hidden_proof: 'p1', flags: 0, last_flag_reason: null, last_proof: 'p1' };

function event(target: string, moderation?: ItemModeration): ProofNewEvent {
  const base = item('p-mod');
  return { proof: { ...base.proof, type: 'moderation' }, content: null, view: { ...base.view, type: 'moderation', parent: target }, ...(moderation === undefined ? {} : { moderation: { target, thread: 'root', moderation } }) };
}

describe('applyModerationEvent', () => {
  it('sets the target\'s state and leaves the other items alone', () => {
    const items = new Map([['a', item('a')], ['b', item('b')]]);
    const next = applyModerationEvent(items, event('a', hidden));
    expect(next?.get('a')?.moderation).toEqual(hidden);
    expect(next?.get('b')).toBe(items.get('b'));
    expect(isHidden(next?.get('a') ?? item('x'))).toBe(true);
  });

  it('answers null for a replayed event without state, and the same map for an unknown target or a repeat', () => {
    const items = new Map([['a', item('a', hidden)]]);
    expect(applyModerationEvent(items, event('a'))).toBeNull();
    expect(applyModerationEvent(items, event('zzz', hidden))).toBe(items);
    expect(applyModerationEvent(items, event('a', hidden))).toBe(items);
    const shown: ItemModeration = { ...hidden, hidden: false, hidden_reason: null, hidden_by: null, hidden_proof: null, last_proof: 'p2' };
    expect(isHidden(applyModerationEvent(items, event('a', shown))?.get('a') ?? item('x'))).toBe(false);
  });
});

describe('what a reader and a moderator see', () => {
  it('offers unhide on hidden items and hide otherwise, flag on both', () => {
    expect(availableActions(undefined)).toEqual(['hide', 'flag']);
    expect(availableActions(hidden)).toEqual(['unhide', 'flag']);
  });

  it('says who hid it and why', () => {
    expect(hiddenNotice(hidden)).toBe('Hidden by a moderator: rude');
    expect(moderatorName(hidden)).toBe('Mod');
    expect(moderatorName({ ...hidden, hidden_by: null })).toBeNull();
  });
});
