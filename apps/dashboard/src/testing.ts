// Shared fakes for the component specs; never imported by the app itself.
import { jest } from '@jest/globals';
import type { AdminServerToClient, MessageDto, SessionSummaryDto } from '@threadline/contracts';
import type { AdminSocket } from './socket';

type Reply = { status: number; body?: unknown };
type Route = (req: { method: string; url: string; body: unknown }) => Reply;

/** Replaces global fetch with a router; the returned mock records every call for assertions. */
export function mockApi(route: Route) {
  const fetchMock = jest.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const reply = route({ method: init?.method ?? 'GET', url, body });
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    // jsdom has no Response; the client only reads these members.
    return { ok: reply.status >= 200 && reply.status < 300, status: reply.status, text: async () => text } as Response;
  });
  globalThis.fetch = fetchMock as typeof fetch;
  return fetchMock;
}

type Listener = (...args: never[]) => void;
type ServerEvents = AdminServerToClient & { connect: () => void; disconnect: (reason: string) => void };

/** Just enough of a socket.io client to drive the views; the test plays the server. */
export class FakeSocket {
  connected = false;
  private listeners = new Map<string, Set<Listener>>();

  on(event: string, fn: Listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
    return this;
  }

  off(event: string, fn: Listener) {
    this.listeners.get(event)?.delete(fn);
    return this;
  }

  disconnect() {
    this.connected = false;
    return this;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  serverEmit<E extends keyof ServerEvents>(event: E, ...args: Parameters<ServerEvents[E]>) {
    if (event === 'connect') this.connected = true;
    for (const fn of this.listeners.get(event) ?? []) (fn as (...a: unknown[]) => void)(...args);
  }

  asSocket(): AdminSocket {
    return this as unknown as AdminSocket;
  }
}

export function aSession(overrides: Partial<SessionSummaryDto> = {}): SessionSummaryDto {
  return {
    id: 'ses_1',
    channel: 'web',
    key: 'web:abc',
    status: 'active',
    endUserId: 'user-1',
    tenant: null,
    participants: [],
    messageCount: 2,
    promptTokens: 10,
    completionTokens: 5,
    costMicros: 123,
    createdAt: '2025-03-04T05:06:07.000Z',
    lastActivityAt: '2025-03-04T05:06:07.000Z',
    expiresAt: '2025-03-05T05:06:07.000Z',
    endedAt: null,
    ...overrides,
  };
}

export function aMessage(overrides: Partial<MessageDto> = {}): MessageDto {
  return {
    id: 'msg_1',
    seq: 1,
    role: 'user',
    content: 'hello',
    status: 'complete',
    participant: null,
    createdAt: '2025-03-04T05:06:07.000Z',
    toolCalls: null,
    toolCallId: null,
    model: null,
    usage: null,
    costMicros: null,
    ...overrides,
  };
}

/** jsdom's Blob has no text(); FileReader it does have. */
export function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the blob'));
    reader.readAsText(blob);
  });
}
