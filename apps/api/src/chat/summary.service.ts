import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { ChatModel } from '@api/llm/chat-model.port.js';
import { SessionRepository } from '@api/sessions/session.repository.js';
import type { SessionRow } from '@api/sessions/session.types.js';

const SUMMARY_PROMPT =
  'Summarise the conversation below for your own later reference: keep names, facts, decisions and open questions; at most 200 words.';

/**
 * With CONTEXT_SUMMARY=on, messages that fall out of the window are folded into a
 * running summary with one extra model call, after the answer has been sent.
 */
@Injectable()
export class SummaryService {
  private readonly logger = new Logger('summary');
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly config: AppConfig,
    private readonly repo: SessionRepository,
    private readonly model: ChatModel,
  ) {}

  foldOlderThan(session: SessionRow, windowFirstSeq: number): void {
    if (this.config.env.CONTEXT_SUMMARY !== 'on' || windowFirstSeq <= 1) return;
    const throughSeq = windowFirstSeq - 1;
    if (throughSeq <= session.summary_through_seq) return;
    const job = this.fold(session, throughSeq)
      .catch((error: Error) => this.logger.warn(`summary of ${session.id} failed: ${error.message}`))
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Lets tests and shutdown wait for summaries in progress. */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async fold(session: SessionRow, throughSeq: number): Promise<void> {
    const fresh = (await this.repo.findById(session.id)) ?? session;
    const rows = await this.repo.listMessages(session.id, fresh.summary_through_seq, throughSeq - fresh.summary_through_seq);
    const transcript = rows
      .filter((r) => r.seq <= throughSeq && r.status !== 'error' && r.role !== 'tool')
      .map((r) => `${r.role}: ${r.content}`)
      .join('\n');
    if (!transcript) return;
    const prior = fresh.summary ? `Summary so far:\n${fresh.summary}\n\n` : '';
    let summary = '';
    for await (const event of this.model.stream({
      messages: [
        { role: 'system', content: SUMMARY_PROMPT },
        { role: 'user', content: `${prior}New messages:\n${transcript}` },
      ],
      maxOutputTokens: 400,
      streamed: false,
    })) {
      if (event.type === 'text') summary += event.text;
    }
    if (summary.trim()) await this.repo.saveSummary(session.id, summary.trim(), throughSeq);
  }
}
