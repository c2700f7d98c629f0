import { z } from 'zod';

const idList = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/**
 * Slack settings, spread into the env schema. The channel runs only when both the
 * signing secret and the bot token are set (README "Channels").
 */
export const slackEnvShape = {
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_API_URL: z.string().url('a URL such as https://slack.com/api').default('https://slack.com/api'),
  /** Slack user ids that may run `all sessions` */
  SLACK_STAFF_USERS: idList.prefault(''),
};
