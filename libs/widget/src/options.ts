/** Where the session id is kept: `session` (default) forgets it with the tab, `local` keeps it across tabs and restarts. */
export type StorageKind = 'session' | 'local';

export interface WidgetOptions {
  /** origin of the Threadline api; derived from the script's own src */
  apiOrigin: string;
  title: string;
  greeting: string;
  storage: StorageKind;
  /** closing the panel ends the conversation (seed 001's voice agent) */
  clearOnClose: boolean;
  voice: boolean;
  position: 'right' | 'left';
  /** a CSS colour, or null for the default */
  accent: string | null;
}

export type DataAttributes = Record<string, string | undefined>;

const TRUE = new Set(['', 'true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return fallback;
}

function text(value: string | undefined, fallback: string, max: number): string {
  const v = (value ?? '').replace(/\s+/g, ' ').trim();
  return v ? v.slice(0, max) : fallback;
}

// Only plain colour syntaxes: the value ends up in a CSS custom property.
const COLOUR = [/^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i, /^(?:rgb|hsl)a?\(\s*[\d.%\s,/+-]+\)$/i, /^[a-z]{3,24}$/i];

export function parseAccent(value: string | undefined): string | null {
  const v = value?.trim();
  return v && COLOUR.some((re) => re.test(v)) ? v : null;
}

/** The api lives where the script came from, unless `data-api` says otherwise (a CDN copy of widget.js). */
export function apiOriginOf(data: DataAttributes, scriptSrc: string | null | undefined, pageUrl: string): string {
  for (const candidate of [data.api, scriptSrc]) {
    if (!candidate) continue;
    try {
      const url = new URL(candidate, pageUrl);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      /* try the next */
    }
  }
  return new URL(pageUrl).origin;
}

/** Options from the embedding tag's data-attributes (`script.dataset`). */
export function readOptions(data: DataAttributes, scriptSrc: string | null | undefined, pageUrl: string): WidgetOptions {
  return {
    apiOrigin: apiOriginOf(data, scriptSrc, pageUrl),
    title: text(data.title, 'Chat', 60),
    greeting: text(data.greeting, 'Hi! Ask me anything.', 200),
    storage: data.storage?.trim().toLowerCase() === 'local' ? 'local' : 'session',
    clearOnClose: flag(data.clearOnClose, false),
    voice: flag(data.voice, true),
    position: data.position?.trim().toLowerCase() === 'left' ? 'left' : 'right',
    accent: parseAccent(data.accent),
  };
}
