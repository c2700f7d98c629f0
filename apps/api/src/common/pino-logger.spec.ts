import { Writable } from 'node:stream';
import { PinoLogger } from './pino-logger.js';
import { requestContext } from './request-context.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  return { lines, logger: new PinoLogger('info', stream as never) };
}

describe('PinoLogger', () => {
  it('writes JSON lines with the request and session ids of the request in progress', () => {
    const { lines, logger } = capture();
    requestContext.run({ requestId: 'req-1', sessionId: 'sess-1' }, () => logger.log('turn finished', 'turn'));
    expect(lines[0]).toMatchObject({ msg: 'turn finished', context: 'turn', requestId: 'req-1', sessionId: 'sess-1', level: 30 });
  });

  it('redacts credentials that slip into structured fields', () => {
    const { lines, logger } = capture();
    logger.warn({ msg: 'odd request', headers: { authorization: 'Bearer tl_secret' }, key: { secret: 'tl_abc' } });
    expect(JSON.stringify(lines[0])).not.toContain('tl_secret');
    expect(JSON.stringify(lines[0])).not.toContain('tl_abc');
  });

  it('honours the level', () => {
    const { lines, logger } = capture();
    logger.debug('not shown');
    expect(lines).toHaveLength(0);
  });
});
