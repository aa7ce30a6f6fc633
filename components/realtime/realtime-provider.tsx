'use client';
// One Socket.IO connection per tab, typed with the shared contract in lib/protocol/events.ts.
// The handshake is same-origin, so the browser sends the next-auth session cookie with it and the
// server knows who is listening (private hubs). When the signed-in account changes, the socket
// reconnects so the server sees the new cookie.
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useSession } from 'next-auth/react';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { SOCKET_PATH } from '@/lib/protocol/events';
import type {
  ClientToServerEvents,
  ProofNewEvent,
  ProofStatusEvent,
  ReactionCountEvent,
  ServerToClientEvents,
  SubscribePayload,
} from '@/lib/protocol/events';

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

interface RealtimeValue {
  socket: HubSocket | null;
  state: ConnectionState;
}

const RealtimeContext = createContext<RealtimeValue>({ socket: null, state: 'connecting' });

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const { data: session, status } = useSession();
  const [value, setValue] = useState<RealtimeValue>({ socket: null, state: 'connecting' });
  // Reconnect when the account changes (sign in, sign out), not on every session refetch.
  const account = status === 'loading' ? null : (session?.user?.name ?? session?.user?.email ?? 'anonymous');

  useEffect(() => {
    if (account === null) return;
    const socket: HubSocket = io({ path: SOCKET_PATH, withCredentials: true });
    const update = (state: ConnectionState) => setValue({ socket, state });
    const onConnect = () => update('connected');
    const onDisconnect = () => update('disconnected');
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.io.on('reconnect_attempt', () => update('connecting'));
    update(socket.connected ? 'connected' : 'connecting');
    return () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.disconnect();
    };
  }, [account]);

  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeValue {
  return useContext(RealtimeContext);
}

export interface RoomHandlers {
  onProofNew?: (event: ProofNewEvent) => void;
  onReactionCount?: (event: ReactionCountEvent) => void;
  onProofStatus?: (event: ProofStatusEvent) => void;
  /** After a reconnect: the room was joined again and missed proofs replayed (counts were not). */
  onRejoined?: () => void;
}

/** server/realtime/catch-up.ts MAX_REPLAY: a full replay means there may be more. */
const STATUS_REPLAY_LIMIT = 500;

export type RoomState = { state: 'joining' } | { state: 'live' } | { state: 'refused'; code: string; message: string };

/**
 * Joins a hub or thread room while the component is mounted. On every (re)connect it subscribes
 * again with `since` = the highest log index seen and `status_since` = the highest status index
 * seen, so proofs and status changes missed meanwhile are replayed. The first subscribe starts
 * from the page's REST answer (its log indexes and `status_index`): a badge that turned verified
 * between that read and the join still reaches the page.
 */
export function useRoom(
  room: { hub: string } | { thread: string } | null,
  handlers: RoomHandlers,
  /** Highest log index the page already has (from REST): the first subscribe replays after it. */
  initialSince?: number,
  /** The REST answer's `status_index`: the first subscribe replays status changes after it. */
  initialStatusSince?: number,
): RoomState {
  const { socket } = useRealtime();
  const handlersRef = useRef(handlers);
  const sinceRef = useRef(initialSince);
  const statusSinceRef = useRef(initialStatusSince);
  // Declared before the room effect, so it runs first: the room effect reads the latest values.
  useEffect(() => {
    handlersRef.current = handlers;
    sinceRef.current = initialSince;
    statusSinceRef.current = initialStatusSince;
  });
  const [roomState, setRoomState] = useState<RoomState>({ state: 'joining' });
  const roomKey = room === null ? null : 'hub' in room ? `hub:${room.hub}` : `thread:${room.thread}`;

  useEffect(() => {
    if (socket === null || room === null || roomKey === null) return;
    let lastLogIndex: number | undefined = sinceRef.current;
    let lastStatusIndex: number | undefined = statusSinceRef.current;
    let active = true;
    let joinedBefore = false;
    const inRoom = (event: { hub: string; thread?: string | null }) =>
      'hub' in room ? event.hub === room.hub : event.thread === room.thread;

    const onProofNew = (event: ProofNewEvent) => {
      if (!inRoom({ hub: event.view.hub, thread: event.view.thread })) return;
      lastLogIndex = Math.max(lastLogIndex ?? 0, event.view.log_index);
      handlersRef.current.onProofNew?.(event);
    };
    const onReactionCount = (event: ReactionCountEvent) => {
      if (inRoom(event)) handlersRef.current.onReactionCount?.(event);
    };
    const onProofStatus = (event: ProofStatusEvent) => {
      if (event.hub !== ('hub' in room ? room.hub : event.hub)) return;
      // The cursor for the next subscribe; a replay may repeat a change (the store keeps the higher status).
      if (event.status_index !== undefined && lastStatusIndex !== undefined) lastStatusIndex = Math.max(lastStatusIndex, event.status_index);
      handlersRef.current.onProofStatus?.(event);
    };
    const subscribe = () => {
      const payload: SubscribePayload = 'hub' in room ? { hub: room.hub } : { thread: room.thread };
      if (lastLogIndex !== undefined) payload.since = lastLogIndex;
      if (lastStatusIndex !== undefined) payload.status_since = lastStatusIndex;
      setRoomState({ state: 'joining' });
      socket.emit('subscribe', payload, (response) => {
        if (!active) return;
        if (response.ok) {
          lastLogIndex = Math.max(lastLogIndex ?? 0, response.data.log_index);
          lastStatusIndex = Math.max(lastStatusIndex ?? 0, response.data.status_index);
          // More missed changes than one replay holds: ask for the rest.
          if (response.data.status_replayed >= STATUS_REPLAY_LIMIT) {
            subscribe();
            return;
          }
          setRoomState({ state: 'live' });
          if (joinedBefore) handlersRef.current.onRejoined?.();
          joinedBefore = true;
        } else {
          setRoomState({ state: 'refused', code: response.error.code, message: response.error.message });
        }
      });
    };

    socket.on('proof:new', onProofNew);
    socket.on('reaction:count', onReactionCount);
    socket.on('proof:status', onProofStatus);
    socket.on('connect', subscribe);
    if (socket.connected) subscribe();
    return () => {
      active = false;
      socket.off('proof:new', onProofNew);
      socket.off('reaction:count', onReactionCount);
      socket.off('proof:status', onProofStatus);
      socket.off('connect', subscribe);
      if (socket.connected) socket.emit('unsubscribe', 'hub' in room ? { hub: room.hub } : { thread: room.thread });
    };
    // roomKey stands for room: a new object naming the same room must not resubscribe.
  }, [socket, roomKey]);

  return roomState;
}
