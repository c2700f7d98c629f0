import { z } from 'zod';

export const HealthResponse = z.object({
  /** draining: shutting down, finishing answers in flight; send new work elsewhere */
  status: z.enum(['healthy', 'degraded', 'draining']),
  model: z.string(),
  mode: z.enum(['openai', 'simulated']),
  features: z.array(z.string()),
  storage: z.object({ kind: z.enum(['pglite', 'postgres']), ok: z.boolean() }),
  coordination: z.object({ kind: z.enum(['in-process', 'redis']), ok: z.boolean() }),
  channels: z.record(z.string(), z.object({ enabled: z.boolean(), reason: z.string().optional() })),
  version: z.string(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
