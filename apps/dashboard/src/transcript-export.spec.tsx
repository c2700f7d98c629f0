import { describe, expect, it } from '@jest/globals';
import { aMessage, aSession } from './testing';
import { exportFileName, transcriptJson, transcriptMarkdown } from './transcript-export';

const at = new Date('2025-03-05T00:00:00.000Z');
const transcript = {
  session: aSession({ key: 'web:abc', promptTokens: 1200, completionTokens: 34, costMicros: 57 }),
  messages: [
    aMessage({ id: 'm1', seq: 1, content: 'Show me ```code``` and <b>html</b>', participant: 'alice' }),
    aMessage({
      id: 'm2',
      seq: 2,
      role: 'assistant',
      content: '',
      model: 'gpt-4.1-nano',
      toolCalls: [{ id: 'call_1', name: 'search_repositories', arguments: '{"q":"threadline"}' }],
      usage: { promptTokens: 1200, completionTokens: 30, cachedTokens: 1000, totalTokens: 1230, estimated: false },
      costMicros: 57,
      price: { model: 'gpt-4.1-nano', input: 0.1, cachedInput: 0.025, output: 0.4, source: 'default', version: 'v1' },
    }),
    aMessage({ id: 'm3', seq: 3, role: 'tool', content: '[{"name":"threadline"}]', toolCallId: 'call_1' }),
    aMessage({ id: 'm4', seq: 4, role: 'assistant', content: 'Found it.', status: 'partial', model: 'local-model', usage: { promptTokens: 5, completionTokens: 2, cachedTokens: 0, totalTokens: 7, estimated: true } }),
  ],
};

describe('transcript export', () => {
  it('Markdown keeps every text literal, in fences longer than any it contains', () => {
    const md = transcriptMarkdown(transcript, at);
    expect(md.startsWith('# Transcript web:abc\n')).toBe(true);
    expect(md).toContain('- Messages: 2 · tokens: 1,200 in / 34 out · cost: $0.000057');
    expect(md).toContain('### 1 · user · alice · 2025-03-04 05:06:07 UTC\n\n````\nShow me ```code``` and <b>html</b>\n````');
    expect(md).toContain(
      'Model gpt-4.1-nano · tokens 1,200 in / 30 out · cost $0.000057 · price $0.10 in / $0.025 cached / $0.40 out per 1M tokens',
    );
    expect(md).toContain('Tool call search_repositories (call_1):\n\n```json\n{"q":"threadline"}\n```');
    expect(md).toContain('Tool result for call_1:\n\n```\n[{"name":"threadline"}]\n```');
    expect(md).toContain('### 4 · assistant · 2025-03-04 05:06:07 UTC · partial');
    expect(md).toContain('tokens 5 in / 2 out (est.) · cost unpriced');
  });

  it('JSON is the transcript as the API gave it, with the export time', () => {
    expect(JSON.parse(transcriptJson(transcript, at))).toEqual({ exportedAt: '2025-03-05T00:00:00.000Z', ...transcript });
    expect(exportFileName(transcript, 'md')).toBe('transcript-web-2025-03-04-ses_1.md');
  });
});
