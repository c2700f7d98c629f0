import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ADMIN_NAMESPACE, CHAT_NAMESPACE } from '@threadline/contracts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SocketServer } from '@api/coordination/socket-server.js';
import { SessionEvents, type TurnSample } from '@api/sessions/session-events.js';
import { Database } from '@api/storage/database.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Prometheus metrics, one registry per app so several apps in one process (tests) stay apart. */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly turns = new Counter({ name: 'threadline_turns_total', help: 'Turns answered, by channel and outcome', labelNames: ['channel', 'status'], registers: [this.registry] });
  private readonly turnSeconds = new Histogram({ name: 'threadline_turn_duration_seconds', help: 'Whole turn, lock to stored answer', labelNames: ['channel'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly upstreamSeconds = new Histogram({ name: 'threadline_upstream_duration_seconds', help: 'One model call, request to last chunk', labelNames: ['model', 'outcome'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly firstTokenSeconds = new Histogram({ name: 'threadline_upstream_first_token_seconds', help: 'Model call to its first streamed token', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly tokens = new Counter({ name: 'threadline_tokens_total', help: 'Tokens by kind and model', labelNames: ['kind', 'model'], registers: [this.registry] });
  private readonly cost = new Counter({ name: 'threadline_cost_microdollars_total', help: 'Cost in micro-dollars by model (priced models only)', labelNames: ['model'], registers: [this.registry] });
  private readonly errors = new Counter({ name: 'threadline_errors_total', help: 'Errors answered to callers, by kind', labelNames: ['kind'], registers: [this.registry] });

  constructor(
    private readonly events: SessionEvents,
    private readonly sockets: SocketServer,
    private readonly db: Database,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'threadline_' });
    const io = this.sockets.io;
    new Gauge({
      name: 'threadline_sockets',
      help: 'Connected socket.io clients on this instance, by namespace',
      labelNames: ['namespace'],
      registers: [this.registry],
      collect() {
        for (const ns of [CHAT_NAMESPACE, ADMIN_NAMESPACE]) this.set({ namespace: ns }, io.of(ns).sockets.size);
      },
    });
    const database = this.db;
    new Gauge({
      name: 'threadline_active_sessions',
      help: 'Active sessions (all instances), by channel',
      labelNames: ['channel'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const { rows } = await database.query<{ channel: string; n: number }>(`SELECT channel, count(*)::int AS n FROM sessions WHERE status = 'active' GROUP BY channel`);
        for (const row of rows) this.set({ channel: row.channel }, row.n);
      },
    });
  }

  onModuleInit(): void {
    this.events.on('turn', (sample) => this.recordTurn(sample));
  }

  recordTurn(sample: TurnSample): void {
    this.turns.inc({ channel: sample.channel, status: sample.status });
    this.turnSeconds.observe({ channel: sample.channel }, sample.durationMs / 1000);
    for (const call of sample.upstream) {
      this.upstreamSeconds.observe({ model: sample.model, outcome: call.outcome }, call.durationMs / 1000);
      if (call.firstTokenMs !== null) this.firstTokenSeconds.observe({ model: sample.model }, call.firstTokenMs / 1000);
    }
    if (sample.usage) {
      this.tokens.inc({ kind: 'prompt', model: sample.model }, sample.usage.promptTokens);
      this.tokens.inc({ kind: 'completion', model: sample.model }, sample.usage.completionTokens);
      this.tokens.inc({ kind: 'cached', model: sample.model }, sample.usage.cachedTokens);
    }
    if (sample.costMicros) this.cost.inc({ model: sample.model }, sample.costMicros);
  }

  countError(kind: string): void {
    this.errors.inc({ kind });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
