// Clients the bench drives: a keep-alive JSON caller, an SSE streaming client (upstream,
// pass-through, peer) and a socket.io /chat client (Threadline's widget channel).
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';

const sharedAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POST (or GET) JSON over a keep-alive agent; resolves { status, body, ms }. */
export function requestJson(url, { method = 'POST', body, headers = {}, agent = sharedAgent } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    const req = http.request(
      url,
      { method, agent, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          const ms = performance.now() - started;
          let parsed = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode, body: parsed, ms });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function destroySharedAgent() {
  sharedAgent.destroy();
}

// The first SSE chunk that carries text (the role-only opening chunk has "content":"").
const FIRST_TOKEN = /"content":\s*"[^"]/;

/** One keep-alive connection posting `stream: true` chat completions and timing the SSE answer. */
export function sseClient(url, headers, body) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const payload = JSON.stringify(body);
  const allHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers };
  return {
    turn: () =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        let ttft = null;
        const req = http.request(url, { method: 'POST', agent, headers: allHeaders }, (res) => {
          if (res.statusCode !== 200) {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => reject(new Error(`HTTP ${res.statusCode} ${text.slice(0, 200)}`)));
            return;
          }
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            if (ttft === null && FIRST_TOKEN.test(chunk)) ttft = performance.now() - started;
          });
          res.on('end', () => {
            const total = performance.now() - started;
            resolve({ ttft: ttft ?? total, total });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
  };
}

/** A web session (POST /api/sessions): { sessionId, token }. */
export async function openWebSession(baseUrl) {
  const { status, body } = await requestJson(`${baseUrl}/api/sessions`, { body: {} });
  if (status !== 201) throw new Error(`POST /api/sessions answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** A socket.io connection of its own (forceNew), as one widget tab would open. */
export function connectSocket(url, auth) {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** The widget channel: message:send, time to the first message:delta and to message:done. */
export async function chatSocketClient(baseUrl, text) {
  const session = await openWebSession(baseUrl);
  const socket = await connectSocket(`${baseUrl}/chat`, session);
  let current = null;
  socket.on('message:delta', () => {
    if (current && current.ttft === null) current.ttft = performance.now() - current.started;
  });
  socket.on('message:done', ({ message }) => {
    if (!current) return;
    const turn = current;
    current = null;
    const total = performance.now() - turn.started;
    if (message?.status !== 'complete') turn.reject(new Error(`turn ended with status ${message?.status}`));
    else turn.resolve({ ttft: turn.ttft ?? total, total });
  });
  socket.on('disconnect', () => current?.reject(new Error('socket disconnected')));
  return {
    turn: () =>
      new Promise((resolve, reject) => {
        current = { started: performance.now(), ttft: null, resolve, reject };
        socket.emit('message:send', { text }, (ack) => {
          if (!ack?.ok && current) {
            current = null;
            reject(new Error(`message:send refused: ${JSON.stringify(ack?.error)}`));
          }
        });
      }),
    close: () => socket.close(),
  };
}
