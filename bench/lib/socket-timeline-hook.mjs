// Loaded with --import into a process the timeline watches (bench/timeline.mjs): the time of
// every socket write and read, with the connection's ports, kept in memory. Cheaper than
// strace, which slowed a turn's every syscall enough to reorder what it timed.
// A write is stamped when the process asks for it; a read when its bytes reach JavaScript
// (an HTTP server parses requests in native code, so for it the stamp is the 'request' event).
// `${SOCKET_TIMELINE}.dump` appearing asks for the events so far, written to
// `${SOCKET_TIMELINE}.json` as flat [ms, isWrite, remotePort, localPort, ...]; then they are dropped.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const base = process.env.SOCKET_TIMELINE;
const MAX_NUMBERS = 4_000_000;
let events = [];
const stamp = (socket, isWrite) => {
  if (events.length < MAX_NUMBERS) events.push(performance.now(), isWrite, socket.remotePort ?? 0, socket.localPort ?? 0);
};

const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (...args) {
  stamp(this, 1);
  return write.apply(this, args);
};
const push = net.Socket.prototype.push;
net.Socket.prototype.push = function (chunk, ...args) {
  if (chunk) stamp(this, 0);
  return push.call(this, chunk, ...args);
};
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (name, request, ...args) {
  if (name === 'request') stamp(request.socket, 0);
  return emit.call(this, name, request, ...args);
};

if (base) {
  // A file, not a signal: Nest's shutdown hooks take SIGUSR2 for a shutdown.
  setInterval(() => {
    if (!existsSync(`${base}.dump`)) return;
    rmSync(`${base}.dump`);
    const taken = events;
    events = [];
    writeFileSync(`${base}.tmp`, JSON.stringify(taken));
    renameSync(`${base}.tmp`, `${base}.json`);
  }, 50).unref();
}
