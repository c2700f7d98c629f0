import { Injectable } from '@nestjs/common';
import { Database } from '@api/storage/database.js';
import { SessionsService } from '@api/sessions/sessions.service.js';
import type { SessionIdentity } from '@api/sessions/session.repository.js';

export type CommandName = 'help' | 'session info' | 'clear session' | 'all sessions';

const COMMANDS: CommandName[] = ['help', 'session info', 'clear session', 'all sessions'];

/** Exact matches only (case and surrounding space aside): "help me with Python" is a question. */
export function parseCommand(text: string): CommandName | null {
  const normalized = text.trim().toLowerCase().replace(/\s+/g, ' ').replace(/^[/!]/, '');
  return COMMANDS.find((c) => c === normalized) ?? null;
}

/** The seed-004 commands, on every channel; answered without the model and never stored as conversation. */
@Injectable()
export class CommandService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly db: Database,
  ) {}

  async run(command: CommandName, identity: SessionIdentity, isStaff: boolean): Promise<string> {
    switch (command) {
      case 'help':
        return [
          'Commands:',
          '• help: this list',
          '• session info: what this conversation holds',
          '• clear session: forget this conversation; the next message starts fresh',
          '• all sessions: active conversations on every channel (staff only)',
        ].join('\n');
      case 'session info': {
        const session = await this.sessions.currentOf(identity.channel, identity.key);
        if (!session) return 'No active session: your next message starts a new conversation.';
        const tokens = Number(session.prompt_tokens) + Number(session.completion_tokens);
        return [
          `Session ${session.id} (${session.channel})`,
          `Messages: ${session.message_count}; tokens used: ${tokens}; cost: $${(Number(session.cost_micros) / 1e6).toFixed(6)}`,
          `Participants: ${session.participants.join(', ') || 'none recorded'}`,
          `Started ${session.created_at.toISOString()}; last activity ${session.last_activity_at.toISOString()}; expires ${session.expires_at.toISOString()}`,
        ].join('\n');
      }
      case 'clear session': {
        const session = await this.sessions.currentOf(identity.channel, identity.key);
        if (session) await this.sessions.clear(session, 'user');
        return 'Session cleared. Your next message starts a fresh conversation.';
      }
      case 'all sessions':
        return isStaff ? this.allSessions() : 'Sorry, "all sessions" is for staff only.';
    }
  }

  private async allSessions(): Promise<string> {
    const { rows } = await this.db.query<{ channel: string; active: number; messages: number }>(
      `SELECT channel, count(*)::int AS active, coalesce(sum(message_count), 0)::int AS messages
       FROM sessions WHERE status = 'active' GROUP BY channel ORDER BY channel`,
    );
    if (rows.length === 0) return 'No active sessions.';
    const total = rows.reduce((n, r) => n + r.active, 0);
    return [`Active sessions: ${total}`, ...rows.map((r) => `• ${r.channel}: ${r.active} sessions, ${r.messages} messages`)].join('\n');
  }
}
