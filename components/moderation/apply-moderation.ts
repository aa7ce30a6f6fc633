// Pure helpers of the moderation UI: applying a live moderation update to the items a page
// holds, and what a reader sees of an item's moderation state.
import type { ProofNewEvent } from '@/lib/protocol/events';
import type { ItemModeration, ModerationAction } from '@/lib/protocol/moderation';
import type { ItemView } from '@/lib/protocol/views';

/**
 * The items after a moderation proof:new: the target takes the state the server derived. An event
 * without that state (a replay after reconnecting) answers null: the caller reloads the thread.
 */
export function applyModerationEvent(items: ReadonlyMap<string, ItemView>, event: ProofNewEvent): ReadonlyMap<string, ItemView> | null {
  const update = event.moderation;
  if (update === undefined) return null;
  const item = items.get(update.target);
  if (item === undefined) return items;
  // Events can arrive out of order with a reload: never go back to an older state.
  if (item.moderation !== undefined && item.moderation.last_proof === update.moderation.last_proof) return items;
  const next = new Map(items);
  next.set(update.target, { ...item, moderation: update.moderation });
  return next;
}

export function isHidden(item: Pick<ItemView, 'moderation'>): boolean {
  return item.moderation?.hidden === true;
}

/** The actions a moderator is offered on an item in this state. */
export function availableActions(moderation: ItemModeration | undefined): ModerationAction[] {
  return moderation?.hidden === true ? ['unhide', 'flag'] : ['hide', 'flag'];
}

/** "Hidden by a moderator: reason", the line every reader sees on a collapsed item. */
export function hiddenNotice(moderation: ItemModeration): string {
  return `Hidden by a moderator: ${moderation.hidden_reason ?? 'no reason given'}`;
}

/** Who hid it, for the line under the notice. */
export function moderatorName(moderation: ItemModeration): string | null {
  const by = moderation.hidden_by;
  return by === null ? null : (by.display_name ?? by.username ?? `${by.did.slice(0, 16)}…`);
}
