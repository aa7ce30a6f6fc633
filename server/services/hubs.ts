// Hubs and memberships. A public hub is readable by everyone and writable by anyone signed in; a
// private hub only by its members, and it is invisible to everybody else (lookups answer
// not_found, writes and subscriptions private_hub).
import type { CreateHubRequest } from '@/lib/protocol/rest';
import type { HubView, HubVisibility } from '@/lib/protocol/views';
import { Prisma } from '../generated/prisma/client';
import type { DbOrTx, Db } from '../db/types';
import { refuse } from '../errors';
import type { ServiceResult } from '../errors';

export const DEFAULT_HUB = { id: 'public', name: 'Public', visibility: 'public' } as const;

export interface HubAccess {
  id: string;
  visibility: HubVisibility;
  role: 'owner' | 'member' | null;
  /** May read, subscribe and post. */
  readable: boolean;
}

/** Creates the default public hub on first start (idempotent). */
export async function ensureDefaultHub(db: Db): Promise<void> {
  await db.hub.upsert({ where: { id: DEFAULT_HUB.id }, create: { ...DEFAULT_HUB }, update: {} });
}

/** The viewer's access to a hub, or null when it does not exist. */
export async function hubAccess(db: DbOrTx, hubId: string, userId: string | null): Promise<HubAccess | null> {
  // One statement: the hub and the viewer's membership (none when signed out).
  const rows = await db.$queryRaw<{ id: string; visibility: string; role: string | null }[]>`
    SELECT h.id, h.visibility, m.role FROM hubs h
    LEFT JOIN memberships m ON m.hub_id = h.id AND m.user_id = ${userId}::text
    WHERE h.id = ${hubId}`;
  const hub = rows[0];
  if (hub === undefined) return null;
  const role = hub.role as HubAccess['role'];
  return { id: hub.id, visibility: hub.visibility as HubVisibility, role, readable: hub.visibility === 'public' || role !== null };
}

type HubRow = { id: string; name: string; visibility: string; createdAt: Date; owner: { username: string } | null; memberships: { role: string }[] };

function toHubView(row: HubRow): HubView {
  return {
    id: row.id,
    name: row.name,
    visibility: row.visibility as HubVisibility,
    owner: row.owner?.username ?? null,
    created_at: row.createdAt.toISOString(),
    role: (row.memberships[0]?.role ?? null) as HubView['role'],
  };
}

function hubSelect(userId: string | null) {
  return {
    id: true,
    name: true,
    visibility: true,
    createdAt: true,
    owner: { select: { username: true } },
    // "no user" matches no membership row: user ids are never empty.
    memberships: { where: { userId: userId ?? '' }, select: { role: true } },
  } as const;
}

/** Public hubs and the private hubs the viewer belongs to, the default hub first, then by name. */
export async function listHubs(db: DbOrTx, userId: string | null): Promise<HubView[]> {
  const rows = await db.hub.findMany({
    where: userId === null ? { visibility: 'public' } : { OR: [{ visibility: 'public' }, { memberships: { some: { userId } } }] },
    select: hubSelect(userId),
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
  const views = rows.map(toHubView);
  return [...views.filter((hub) => hub.id === DEFAULT_HUB.id), ...views.filter((hub) => hub.id !== DEFAULT_HUB.id)];
}

export async function getHub(db: DbOrTx, hubId: string, userId: string | null): Promise<ServiceResult<HubView>> {
  const row = await db.hub.findUnique({ where: { id: hubId }, select: hubSelect(userId) });
  if (row === null || (row.visibility === 'private' && row.memberships.length === 0)) return refuse('not_found', `there is no hub "${hubId}"`);
  return { ok: true, value: toHubView(row) };
}

/** Creates a hub owned by the user (owner membership included), atomically. */
export async function createHub(db: Db, userId: string | null, request: CreateHubRequest): Promise<ServiceResult<HubView>> {
  if (userId === null) return refuse('not_signed_in', 'sign in to create a hub');
  try {
    await db.$transaction(async (tx) => {
      await tx.hub.create({ data: { id: request.id, name: request.name, visibility: request.visibility, ownerId: userId } });
      await tx.membership.create({ data: { hubId: request.id, userId, role: 'owner' } });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return refuse('hub_exists', `a hub "${request.id}" already exists`);
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') return refuse('not_signed_in', 'the session\'s account no longer exists');
    throw error;
  }
  return getHub(db, request.id, userId);
}

/** The owner adds a member by username. */
export async function addMember(db: Db, userId: string | null, hubId: string, username: string): Promise<ServiceResult<{ hub: HubView; username: string }>> {
  if (userId === null) return refuse('not_signed_in', 'sign in to manage members');
  const access = await hubAccess(db, hubId, userId);
  if (access === null || !access.readable) return refuse('not_found', `there is no hub "${hubId}"`);
  if (access.role !== 'owner') return refuse('forbidden', 'only the hub\'s owner adds members');
  const member = await db.user.findUnique({ where: { username }, select: { id: true } });
  if (member === null) return refuse('unknown_user', `there is no user "${username}"`);
  try {
    await db.membership.create({ data: { hubId, userId: member.id, role: 'member' } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return refuse('already_member', `${username} is already a member of "${hubId}"`);
    throw error;
  }
  const hub = await getHub(db, hubId, userId);
  if (!hub.ok) return hub;
  return { ok: true, value: { hub: hub.value, username } };
}
