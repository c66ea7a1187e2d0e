/**
 * The chat's state: one client of the chosen transport, subscribed to the
 * rooms in the list and to the user's own inbox (`user:<me>`). Rooms echo a
 * sender's messages back, inboxes do not, so a direct message someone sends
 * is added to their own conversation when the server acknowledges it.
 */
import { computed, reactive, shallowRef } from 'vue';
import { createClient } from '../../../src/client/index.ts';
import type { Client, ClientState } from '../../../src/client/types.ts';
import { assertName, inboxTopic, roomTopic } from '../../../src/protocol/index.ts';
import type { Gap, Message, TransportName } from '../../../src/protocol/index.ts';
import { describeError } from '../errors.ts';

export interface ChatLine {
  /**
   * Unique within a conversation: the message's id (its idempotency key).
   * Not its seq: seqs start again at 1 when the server restarts (a `restarted` gap).
   */
  key: string;
  from: string;
  body: string;
  ts: number;
}

/** `room:<name>` for a room, `dm:<peer>` for a conversation with a user. */
export type ConversationKey = `room:${string}` | `dm:${string}`;

export const DEFAULT_ROOMS = ['lobby', 'random', 'workshop'];

export function createChatSession() {
  const client = shallowRef<Client | null>(null);
  const state = reactive({
    me: '',
    transport: 'ws' as TransportName,
    connection: 'idle' as ClientState,
    lastGap: null as Gap | null,
    error: '',
    rooms: [...DEFAULT_ROOMS],
    peers: [] as string[],
    current: 'room:lobby' as ConversationKey,
    lines: {} as Record<string, ChatLine[]>,
  });

  const currentLines = computed(() => state.lines[state.current] ?? []);

  function add(key: ConversationKey, line: ChatLine): void {
    const list = (state.lines[key] ??= []);
    // The client delivers each message once, in seq order per topic: arrival order is the room's order.
    if (!list.some((existing) => existing.key === line.key)) list.push(line);
  }

  function onMessage(message: Message): void {
    if (message.topic.startsWith('room:')) {
      add(message.topic as ConversationKey, toLine(message));
    } else if (message.topic === inboxTopic(state.me)) {
      addPeer(message.from);
      add(`dm:${message.from}`, { ...toLine(message), key: `in-${message.id}` });
    }
  }

  function addPeer(peer: string): void {
    if (!state.peers.includes(peer)) state.peers.push(peer);
  }

  async function connect(name: string, transport: TransportName): Promise<boolean> {
    state.error = '';
    await disconnect();
    try {
      assertName(name, 'your name');
      const next = createClient(transport, { baseUrl: '', name });
      next.on('message', onMessage);
      next.on('gap', (gap) => (state.lastGap = gap));
      next.on('state', (value) => (state.connection = value));
      next.on('error', (error) => (state.error = describeError(error)));
      client.value = next;
      await next.connect();
      state.me = name;
      state.transport = transport;
      await next.subscribe([...state.rooms.map(roomTopic), inboxTopic(name)], { backlog: 50 });
      return true;
    } catch (error) {
      state.error = describeError(error);
      await disconnect();
      return false;
    }
  }

  async function disconnect(): Promise<void> {
    const current = client.value;
    client.value = null;
    state.connection = 'idle';
    state.lastGap = null;
    if (current) await current.close().catch(() => undefined);
  }

  async function joinRoom(name: string): Promise<void> {
    state.error = '';
    try {
      const topic = roomTopic(assertName(name, 'a room name'));
      if (!state.rooms.includes(name)) {
        await client.value?.subscribe([topic], { backlog: 50 });
        state.rooms.push(name);
      }
      state.current = topic as ConversationKey;
    } catch (error) {
      state.error = describeError(error);
    }
  }

  function openDirect(peer: string): void {
    state.error = '';
    try {
      addPeer(assertName(peer, 'a user name'));
      state.current = `dm:${peer}`;
    } catch (error) {
      state.error = describeError(error);
    }
  }

  async function send(body: string): Promise<boolean> {
    const active = client.value;
    if (!active || body.length === 0) return false;
    state.error = '';
    const key = state.current;
    const isRoom = key.startsWith('room:');
    const peer = key.slice('dm:'.length);
    try {
      const result = await active.publish(isRoom ? key : inboxTopic(peer), body);
      if (!isRoom) add(key, { key: `out-${result.id}`, from: state.me, body, ts: result.ts });
      return true;
    } catch (error) {
      state.error = describeError(error);
      return false;
    }
  }

  return { state, client, currentLines, connect, disconnect, joinRoom, openDirect, send };
}

export type ChatSession = ReturnType<typeof createChatSession>;

function toLine(message: Message): ChatLine {
  return { key: message.id, from: message.from, body: message.body, ts: message.ts };
}
