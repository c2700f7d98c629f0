import { z } from 'zod';

const optionalSecret = z.string().min(1).optional();

/**
 * Messenger and WhatsApp Cloud API settings, spread into the env schema. Each channel
 * runs only when its app secret, verify token and access token are all set.
 */
export const metaEnvShape = {
  MESSENGER_APP_SECRET: optionalSecret,
  MESSENGER_VERIFY_TOKEN: optionalSecret,
  MESSENGER_PAGE_TOKEN: optionalSecret,
  WHATSAPP_APP_SECRET: optionalSecret,
  WHATSAPP_VERIFY_TOKEN: optionalSecret,
  WHATSAPP_TOKEN: optionalSecret,
  GRAPH_API_URL: z.string().url('a URL such as https://graph.facebook.com/v21.0').default('https://graph.facebook.com/v21.0'),
};
