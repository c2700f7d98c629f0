import { z } from 'zod';

const perMinute = z.coerce
  .number({ message: 'a whole number of messages a minute (0 turns the limit off)' })
  .int('a whole number of messages a minute (0 turns the limit off)')
  .min(0, 'a whole number of messages a minute (0 turns the limit off)')
  .max(1_000_000, 'a whole number of messages a minute (0 turns the limit off)');

const ORIGINS_HELP = 'a comma-separated list of origins such as https://a.example,https://b.example, or *';

/** `*`, or the exact origins (scheme://host[:port]) whose pages may embed the widget. */
const origins = z.string().transform((text, ctx): '*' | string[] => {
  if (text.trim() === '*') return '*';
  const list: string[] = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    let url: URL | null = null;
    try {
      url = new URL(item);
    } catch {
      /* reported below */
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== item.replace(/\/$/, '')) {
      ctx.addIssue({ code: 'custom', message: `${ORIGINS_HELP}; "${item}" is not an origin` });
      return z.NEVER;
    }
    list.push(url.origin);
  }
  if (list.length === 0) {
    ctx.addIssue({ code: 'custom', message: ORIGINS_HELP });
    return z.NEVER;
  }
  return list;
});

/**
 * Widget settings, spread into the env schema. Unset WIDGET_ALLOWED_ORIGINS means any
 * origin outside production, and only the api's own origin (and PUBLIC_URL) in production.
 * Unset rates mean the defaults below, except under NODE_ENV=test, where suites that
 * drive hundreds of turns through one session would otherwise trip them.
 */
export const WIDGET_RATE_DEFAULTS = { perSession: 20, perAddress: 60 };

export const widgetEnvShape = {
  WIDGET_ALLOWED_ORIGINS: origins.optional(),
  WIDGET_RATE_PER_MINUTE: perMinute.optional(),
  WIDGET_RATE_PER_MINUTE_PER_ADDRESS: perMinute.optional(),
  WIDGET_DIR: z.string().min(1).default('libs/widget/dist'),
};
