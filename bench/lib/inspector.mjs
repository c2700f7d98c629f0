// A minimal DevTools-protocol client for a process started with --inspect: forces a full
// garbage collection and reads process.memoryUsage() inside it, so that memory figures
// compare live data rather than whatever garbage happened to be uncollected at the time.
import WebSocket from 'ws';

export async function openInspector(port) {
  const targets = await (await globalThis.fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const pending = new Map();
  let lastId = 0;
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${message.error.message} (${message.error.code})`));
    else waiter.resolve(message.result);
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    collectGarbage: () => call('HeapProfiler.collectGarbage'),
    async memoryUsage() {
      const { result } = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      return JSON.parse(result.value);
    },
    close: () => ws.close(),
  };
}
