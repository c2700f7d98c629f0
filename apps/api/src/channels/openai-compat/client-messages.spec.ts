import { ChatCompletionBody } from './chat-completions.schema.js';
import { commandText, splitMessages } from './client-messages.js';
import { OpenAIError } from './openai-errors.js';

const parse = (messages: unknown[]) => ChatCompletionBody.parse({ model: 'm', messages }).messages;

describe('splitMessages', () => {
  it('takes the messages after the last assistant message as new, the rest as the client’s history', () => {
    const split = splitMessages(
      parse([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'One' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'result' }] },
        { role: 'developer', content: 'Use metric units.' },
        { role: 'user', content: 'Two' },
      ]),
    );
    expect(split.systemPrompt).toBe('Be brief.\n\nUse metric units.');
    expect(split.earlier).toEqual([
      { role: 'user', content: 'One' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] },
    ]);
    expect(split.newMessages).toEqual([
      { role: 'tool', content: 'result', toolCallId: 'c1' },
      { role: 'user', content: 'Two' },
    ]);
  });

  it('finds nothing new when the client ends with an answer', () => {
    expect(splitMessages(parse([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }])).newMessages).toEqual([]);
  });

  it('refuses content it cannot keep as text', () => {
    const messages = parse([{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }]);
    expect(() => splitMessages(messages)).toThrow(OpenAIError);
  });

  it('treats only a lone new user message as a possible command', () => {
    expect(commandText([{ role: 'user', content: 'help' }])).toBe('help');
    expect(commandText([{ role: 'user', content: 'x' }, { role: 'user', content: 'help' }])).toBe('');
  });
});
