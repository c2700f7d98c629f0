import {
  newApiKey,
  integratorHistory,
  openChatSocket,
  newWebSession,
  socketConnected,
  socketTurn,
  sseTurn,
  webHistory,
  webTurn,
  type ChatSocket,
  type Outcome,
  type SentTurn,
  type SoakChannel,
  type StoredMessage,
} from '@threadline/testing';

/** One conversation driven by a fault test: its channel, what it sent and what it was told. */
export interface LoadClient {
  name: string;
  channel: SoakChannel;
  sent: SentTurn[];
  send(text: string): Promise<Outcome>;
  history(): Promise<StoredMessage[]>;
  close(): void;
}

/**
 * `count` conversations spread over the instances at `bases` and over the three turn paths
 * (web REST, integrator SSE, /chat socket), each pinned to one instance.
 */
export async function openClients(bases: string[], masterKey: string, label: string, count: number, timeoutMs: number): Promise<LoadClient[]> {
  const key = await newApiKey(bases[0]!, masterKey);
  return Promise.all(
    Array.from({ length: count }, async (_, i): Promise<LoadClient> => {
      const base = bases[i % bases.length]!;
      const name = `${label}-${i}`;
      const sent: SentTurn[] = [];
      const kind = i % 3;
      if (kind === 0) {
        const session = await newWebSession(base);
        return { name, channel: 'web REST', sent, send: (text) => webTurn(base, session, text, timeoutMs), history: () => webHistory(base, session), close: () => undefined };
      }
      if (kind === 1) {
        const who = { key, userId: name };
        return { name, channel: 'integrator SSE', sent, send: (text) => sseTurn(base, who, text, { timeoutMs }), history: () => integratorHistory(base, who), close: () => undefined };
      }
      const session = await newWebSession(base);
      const socket: ChatSocket = openChatSocket(base, session, { reconnection: true });
      await socketConnected(socket);
      return { name, channel: 'socket.io', sent, send: (text) => socketTurn(socket, text, { timeoutMs }), history: () => webHistory(base, session), close: () => socket.disconnect() };
    }),
  );
}

/** Every client sends turns back to back (a short pause after a refusal) until `stop()`; resolves when all have stopped. */
export function driveLoad(clients: LoadClient[]): { stop(): Promise<void> } {
  let running = true;
  const loops = clients.map(async (client) => {
    for (let i = 1; running; i++) {
      const text = `${client.name} turn ${i}`;
      const outcome = await client.send(text);
      client.sent.push({ text, outcome });
      if (outcome.kind !== 'answered') await new Promise((r) => setTimeout(r, 100));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** A refusal the caller can act on: the documented shape with code `unavailable` (503, or an error event on a stream or socket). */
export function isClearUnavailable(outcome: Outcome): boolean {
  return outcome.kind === 'refused' && outcome.code === 'unavailable' && (outcome.httpStatus === 503 || outcome.httpStatus === 200);
}
