import { runSoak, type FakeReply } from '@threadline/testing';
import { backends } from '../backends.js';
import { TEST_MASTER_KEY, useGateway } from '../harness.js';

/**
 * The soak run (`npm run soak`, 500 sessions × 20 turns) in small, so CI exercises it:
 * socket.io widgets that lose their link before the ack, after it or mid-answer and come
 * back (resync, resend under the same id), SSE integrators that walk away mid-stream, and
 * REST callers, all at once; then every thread is read back.
 */
describe.each(backends())('soak, small (%s)', (backend) => {
  // Echo streamed a word every 5 ms, so a dropped link can land in the middle of an answer.
  const streamedEcho = (req: { messages: Array<{ role: string; content: unknown }> }): FakeReply => {
    const last = [...req.messages].reverse().find((m) => m.role === 'user');
    return { kind: 'text', text: `Echo: ${String(last?.content)}`, delayMsPerChunk: 5 };
  };
  const suite = useGateway(backend, { fake: { responder: streamedEcho } });

  it('30 sessions × 5 turns with links dropping and coming back: every turn stored once and answered once', async () => {
    const report = await runSoak({
      base: suite.gateway.url,
      masterKey: TEST_MASTER_KEY,
      sessions: 30,
      turns: 5,
      dropRate: 0.3,
      seed: 10,
      turnTimeoutMs: 30_000,
      expectedAnswer: (text) => `Echo: ${text}`,
    });
    expect(report.failures).toEqual([]);
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ turns: 150, answered: 150, byChannel: { 'socket.io': 18, 'web REST': 6, 'integrator SSE': 6 } });
    // The drops happened (so the run proved something), and some answers were only learnt after one.
    expect(report.drops).toBeGreaterThan(10);
    expect(report.recovered).toBeGreaterThan(0);
  });
});
