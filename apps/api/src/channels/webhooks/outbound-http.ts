export interface PostJsonOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** extra attempts after a 429, a 502/503/504 or a connection failure */
  retries?: number;
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_WAIT_MS = 10_000;

/**
 * POSTs JSON to a provider API (Slack Web API, Graph API), retrying what a provider
 * asks to be retried, and answers whatever came back: callers read the provider's own
 * error shape. Throws only when no answer arrived at all.
 */
export async function postJson(url: string, body: unknown, options: PostJsonOptions = {}): Promise<JsonResponse> {
  const { retries = 2, timeoutMs = 10_000 } = options;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      if (attempt >= retries || options.signal?.aborted) throw error;
      await pause(backoff(attempt));
      continue;
    }
    const text = await response.text();
    if (RETRYABLE.has(response.status) && attempt < retries && !options.signal?.aborted) {
      await pause(retryAfterMs(response.headers.get('retry-after')) ?? backoff(attempt));
      continue;
    }
    return { status: response.status, body: parseJson(text) };
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

function backoff(attempt: number): number {
  return Math.min(MAX_WAIT_MS, 250 * 2 ** attempt);
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(MAX_WAIT_MS, seconds * 1000) : null;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
