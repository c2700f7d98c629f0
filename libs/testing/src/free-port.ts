import type { Server } from 'node:http';

/**
 * Binds to 127.0.0.1 only, so fakes never expose themselves beyond the machine,
 * and to port 0, so parallel jest workers never collide on a fixed port.
 */
export function listenOnFreePort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', onError);
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error(`expected a TCP address, got ${String(address)}`));
    });
  });
}
