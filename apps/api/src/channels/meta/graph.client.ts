import { Logger } from '@nestjs/common';
import { postJson } from '@api/channels/webhooks/outbound-http.js';

interface GraphError {
  error?: { message?: string; code?: number; type?: string };
}

/** Sends through the Graph API (Messenger Send API, WhatsApp Cloud API); GRAPH_API_URL points tests at the fake. */
export class GraphClient {
  private readonly logger = new Logger('graph');

  constructor(private readonly baseUrl: string) {}

  /** POST /{id}/messages; false (and a log line) when Graph refused or could not be reached. */
  async sendMessage(accountId: string, token: string, body: Record<string, unknown>): Promise<boolean> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(accountId)}/messages`;
    try {
      const response = await postJson(url, body, { headers: { authorization: `Bearer ${token}` } });
      if (response.status >= 200 && response.status < 300) return true;
      const error = (response.body as GraphError | null)?.error;
      this.logger.warn(`send to ${accountId} failed: HTTP ${response.status}${error?.message ? ` ${error.message}` : ''}`);
    } catch (error) {
      this.logger.warn(`send to ${accountId} failed: ${(error as Error).message}`);
    }
    return false;
  }
}
