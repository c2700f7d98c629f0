import { FakeGraph, FakeSlack } from '@threadline/testing';
import type { Backend } from '../backends.js';
import { useGateway, type GatewaySuite } from '../harness.js';

export const SLACK_SECRET = 'slack-signing-secret-security';
export const SLACK_TOKEN = 'xoxb-security-token';
export const MESSENGER_SECRET = 'messenger-app-secret-security';
export const WHATSAPP_SECRET = 'whatsapp-app-secret-security';
export const GRAPH_TOKEN = 'EAAG-security-token';
export const VERIFY_TOKENS = { messenger: 'messenger-verify-security', whatsapp: 'whatsapp-verify-security' };

/** Fake Slack and Graph APIs, and the env that turns all three webhook channels on against them. */
export async function startChannelFakes(): Promise<{ slack: FakeSlack; graph: FakeGraph; env: Record<string, string>; close(): Promise<void> }> {
  const slack = await FakeSlack.start({ token: SLACK_TOKEN, botUserId: 'UBOT0001', teamId: 'T0000001' });
  const graph = await FakeGraph.start({ token: GRAPH_TOKEN });
  return {
    slack,
    graph,
    env: {
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_API_URL: slack.baseURL,
      MESSENGER_APP_SECRET: MESSENGER_SECRET,
      MESSENGER_VERIFY_TOKEN: VERIFY_TOKENS.messenger,
      MESSENGER_PAGE_TOKEN: GRAPH_TOKEN,
      WHATSAPP_APP_SECRET: WHATSAPP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKENS.whatsapp,
      WHATSAPP_TOKEN: GRAPH_TOKEN,
      GRAPH_API_URL: graph.baseURL,
    },
    async close() {
      await slack.close();
      await graph.close();
    },
  };
}

/**
 * useGateway with every webhook channel on against the fakes, and X-Forwarded-For
 * trusted so each request can come from an address of its own (per-address limits
 * then never cross tests). `env` may add settings; the fakes' own are merged in.
 */
export function useGatewayWithChannels(backend: Backend, env: Record<string, string> = {}): GatewaySuite {
  const settings: Record<string, string> = { TRUST_PROXY: 'true', ...env };
  let fakes: Awaited<ReturnType<typeof startChannelFakes>> | undefined;
  beforeAll(async () => {
    fakes = await startChannelFakes();
    Object.assign(settings, fakes.env);
  });
  const suite = useGateway(backend, { env: settings });
  afterAll(() => fakes?.close());
  return suite;
}
