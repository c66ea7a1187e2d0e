/**
 * The chat's state: one client of the chosen transport, subscribed to the
 * rooms in the list and to the user's own inbox (`user:<me>`). Rooms echo a
 * sender's messages back, inboxes do not, so a direct message someone sends
 * is added to their own conversation when the server acknowledges it.
 *
 * A draft is sent with one idempotency `id` for as long as it is the same
 * text to the same conversation: a retry after a failure, or a press while
 * the server is away, is stored once (the bus dedupes by id). While a send is
 * under way the page says "sending" and does not start another.
 */
import { computed, reactive, shallowRef } from 'vue';
import { createClient } from '../../../src/client/index.ts';
import type { Client, ClientState } from '../../../src/client/types.ts';
import { inboxTopic, roomTopic } from '../../../src/protocol/index.ts';
import type { Gap, Message, TransportName } from '../../../src/protocol/index.ts';
import { describeError, errorCode, isConnectionProblem, nameProblem } from '../errors.ts';

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

/** A draft on its way: the same text to the same conversation keeps its id. */
interface PendingDraft {
  conversation: ConversationKey;
  body: string;
  id: string;
}

export function createChatSession() {
  const client = shallowRef<Client | null>(null);
  const state = reactive({
    me: '',
    transport: 'ws' as TransportName,
    connection: 'idle' as ClientState,
    /** The newest gap of each topic: a gap in one room does not hide another's. */
    gaps: {} as Record<string, Gap>,
    error: '',
    /**
     * True when `error` is about reaching the server (it went away, a send could
     * not get through): recovery clears it. A refused action (too long, no such
     * user) stays until the next action.
     */
    errorFromConnection: false,
    /** What happened to the connection, in words (lost, back again). */
    notice: '',
    /** A send is under way: Send is disabled and says so. */
    sending: false,
    rooms: [...DEFAULT_ROOMS],
    peers: [] as string[],
    current: 'room:lobby' as ConversationKey,
    lines: {} as Record<string, ChatLine[]>,
  });

  const currentLines = computed(() => state.lines[state.current] ?? []);
  const gapList = computed(() => Object.values(state.gaps));
  let pending: PendingDraft | null = null;
  let lostAt = 0;
  const idPrefix = `chat-${Math.random().toString(36).slice(2, 10)}`;
  let idCounter = 0;

  function showError(error: unknown): void {
    state.error = describeError(error);
    state.errorFromConnection = isConnectionProblem(error);
  }

  function clearError(): void {
    state.error = '';
    state.errorFromConnection = false;
  }

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

  /** Says what happened to the connection; a recovery clears the banners the outage left. */
  function onState(value: ClientState): void {
    const before = state.connection;
    state.connection = value;
    if (value === 'reconnecting' && before !== 'reconnecting') {
      lostAt = Date.now();
      state.notice = 'The connection to the server was lost (it may be restarting): reconnecting by itself…';
    } else if (value === 'connected' && before === 'reconnecting') {
      if (state.errorFromConnection) clearError();
      const seconds = Math.max(1, Math.round((Date.now() - lostAt) / 1000));
      const draft = pending && !state.sending ? ' Your draft was not sent yet: press Send (it will not be stored twice).' : '';
      state.notice = `Connected again at ${new Date().toLocaleTimeString()} after about ${seconds} s without the server.${draft}`;
    }
  }

  function addPeer(peer: string): void {
    if (!state.peers.includes(peer)) state.peers.push(peer);
  }

  async function connect(name: string, transport: TransportName): Promise<boolean> {
    clearError();
    state.notice = '';
    await disconnect();
    // Checked here, before anything is sent: say what is wrong with the name itself.
    const problem = nameProblem(name, 'name');
    if (problem) {
      state.error = problem;
      return false;
    }
    try {
      const next = createClient(transport, { baseUrl: '', name });
      next.on('message', onMessage);
      next.on('gap', (gap) => (state.gaps[gap.topic] = gap));
      next.on('state', onState);
      next.on('error', showError);
      client.value = next;
      await next.connect();
      state.me = name;
      state.transport = transport;
      await next.subscribe([...state.rooms.map(roomTopic), inboxTopic(name)], { backlog: 50 });
      return true;
    } catch (error) {
      showError(error);
      await disconnect();
      return false;
    }
  }

  async function disconnect(): Promise<void> {
    const current = client.value;
    client.value = null;
    state.connection = 'idle';
    state.gaps = {};
    state.sending = false;
    pending = null;
    if (current) await current.close().catch(() => undefined);
  }

  async function joinRoom(name: string): Promise<void> {
    clearError();
    const problem = nameProblem(name, 'room name');
    if (problem) {
      state.error = problem;
      return;
    }
    try {
      const topic = roomTopic(name);
      if (!state.rooms.includes(name)) {
        await client.value?.subscribe([topic], { backlog: 50 });
        state.rooms.push(name);
      }
      state.current = topic as ConversationKey;
    } catch (error) {
      showError(error);
    }
  }

  function openDirect(peer: string): void {
    clearError();
    const problem = nameProblem(peer, 'user name');
    if (problem) {
      state.error = problem;
      return;
    }
    addPeer(peer);
    state.current = `dm:${peer}`;
  }

  /** A conversation with someone who was never here cannot be had: it goes, and the page says why. */
  function dropPeer(peer: string): void {
    state.peers = state.peers.filter((p) => p !== peer);
    delete state.lines[`dm:${peer}`];
    if (state.current === `dm:${peer}`) state.current = `room:${state.rooms[0] ?? 'lobby'}`;
    state.error = `Nobody called "${peer}" has ever joined this server, so the conversation with them was removed. Your draft is kept.`;
    state.errorFromConnection = false;
  }

  function idFor(conversation: ConversationKey, body: string): string {
    if (pending && pending.conversation === conversation && pending.body === body) return pending.id;
    idCounter += 1;
    pending = { conversation, body, id: `${idPrefix}-${idCounter}` };
    return pending.id;
  }

  async function send(body: string): Promise<boolean> {
    const active = client.value;
    if (!active || body.length === 0 || state.sending) return false;
    clearError();
    const key = state.current;
    const isRoom = key.startsWith('room:');
    const peer = key.slice('dm:'.length);
    const id = idFor(key, body);
    state.sending = true;
    try {
      const result = await active.publish(isRoom ? key : inboxTopic(peer), body, id);
      if (!isRoom) add(key, { key: `out-${result.id}`, from: state.me, body, ts: result.ts });
      pending = null;
      return true;
    } catch (error) {
      if (client.value !== active) return false;
      if (!isRoom && errorCode(error) === 'unknown_user') dropPeer(peer);
      else showError(error);
      return false;
    } finally {
      if (client.value === active) state.sending = false;
    }
  }

  return { state, client, currentLines, gapList, connect, disconnect, joinRoom, openDirect, send };
}

export type ChatSession = ReturnType<typeof createChatSession>;

function toLine(message: Message): ChatLine {
  return { key: message.id, from: message.from, body: message.body, ts: message.ts };
}
