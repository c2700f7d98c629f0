// The tail of every bench child that is an HTTP server (the pass-through, the store floor):
// listen on loopback, tell procs.mjs where (its ready line), stop on SIGTERM. SIGINT is
// ignored: Ctrl+C reaches the whole process group, and the bench stops its children itself.
export function serveChild(server, closeResources = async () => undefined) {
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    console.log(JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}` }));
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void closeResources().finally(() => process.exit(0)));
  });
  process.on('SIGINT', () => undefined);
}
