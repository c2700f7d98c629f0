// Live memory of another Node process started with --inspect: a full GC through the DevTools
// protocol first, so figures compare live data, not whatever garbage was not yet collected.
import WebSocket from 'ws';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface InspectedProcess {
  /** two full collections, a pause, then process.memoryUsage() inside the process */
  settledMemory(): Promise<MemorySample>;
  close(): void;
}

/** `port`: the one given to the process as --inspect=127.0.0.1:<port>. */
export async function inspectProcess(port: number): Promise<InspectedProcess> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let lastId = 0;
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve, reject) => {
      const id = ++lastId;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async settledMemory() {
      await call('HeapProfiler.collectGarbage');
      await new Promise((r) => setTimeout(r, 500));
      await call('HeapProfiler.collectGarbage');
      const { result } = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      return JSON.parse(result.value as string) as MemorySample;
    },
    close: () => ws.close(),
  };
}
