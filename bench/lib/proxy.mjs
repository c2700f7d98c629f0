// Child process: the floor. A minimal pass-through reverse proxy (node:http, one keep-alive
// agent) in front of the upstream: what any gateway costs before it does anything useful.
import http from 'node:http';
import { serveChild } from './child-server.mjs';

const target = new URL(process.env.UPSTREAM_URL ?? '');
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });

const server = http.createServer((req, res) => {
  const headers = { ...req.headers, host: target.host };
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
serveChild(server);
