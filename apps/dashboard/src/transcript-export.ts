import type { MessageDto, TranscriptResponse } from '@threadline/contracts';
import { formatCost, formatCount, formatPrice, formatTime, formatUsage } from './format';

/** The transcript exactly as the API returned it, plus when it was taken. */
export function transcriptJson(t: TranscriptResponse, exportedAt: Date): string {
  return `${JSON.stringify({ exportedAt: exportedAt.toISOString(), session: t.session, messages: t.messages }, null, 2)}\n`;
}

/**
 * Text goes in fenced blocks: whatever a user or model wrote (HTML, Markdown, fences of its
 * own) stays literal wherever the file is rendered.
 */
function fenced(text: string, info = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

function messageMarkdown(m: MessageDto): string {
  const head = [`${m.seq}`, m.role, m.participant, formatTime(m.createdAt), m.status === 'complete' ? null : m.status].filter(Boolean).join(' · ');
  const lines = [`### ${head}`, ''];
  if (m.role === 'assistant' || m.usage) {
    const cost = m.costMicros === null ? 'unpriced' : formatCost(m.costMicros);
    lines.push(`Model ${m.model ?? '—'} · tokens ${formatUsage(m.usage)} · cost ${cost}${m.price ? ` · price ${formatPrice(m.price)}` : ''}`, '');
  }
  if (m.role === 'tool') lines.push(`Tool result${m.toolCallId ? ` for ${m.toolCallId}` : ''}:`, '');
  if (m.content) lines.push(fenced(m.content), '');
  for (const call of m.toolCalls ?? []) lines.push(`Tool call ${call.name} (${call.id}):`, '', fenced(call.arguments, 'json'), '');
  return lines.join('\n');
}

export function transcriptMarkdown(t: TranscriptResponse, exportedAt: Date): string {
  const s = t.session;
  const header = [
    `# Transcript ${s.key}`,
    '',
    `- Session: ${s.id}`,
    `- Channel: ${s.channel} · status: ${s.status}`,
    `- End user: ${s.endUserId ?? '—'}${s.tenant ? ` (tenant ${s.tenant})` : ''}`,
    `- Started: ${formatTime(s.createdAt)} · last activity: ${formatTime(s.lastActivityAt)}`,
    `- Messages: ${formatCount(s.messageCount)} · tokens: ${formatCount(s.promptTokens)} in / ${formatCount(s.completionTokens)} out · cost: ${formatCost(s.costMicros)}`,
    `- Exported: ${formatTime(exportedAt.toISOString())}`,
    '',
  ];
  return `${[...header, ...t.messages.map(messageMarkdown)].join('\n').trimEnd()}\n`;
}

/** File names staff can sort: channel, start day, and the session id. */
export function exportFileName(t: TranscriptResponse, extension: 'json' | 'md'): string {
  return `transcript-${t.session.channel}-${t.session.createdAt.slice(0, 10)}-${t.session.id}.${extension}`;
}

/** Hands the text to the browser as a file download; nothing leaves the machine. */
export function download(fileName: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next tick: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
