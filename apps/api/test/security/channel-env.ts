import { FakeGraph, FakeSlack } from '@threadline/testing';

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
