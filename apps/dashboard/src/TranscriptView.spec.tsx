import { describe, expect, it, jest } from '@jest/globals';
import { act, render, screen } from '@testing-library/react';
import type { MessageDto } from '@threadline/contracts';
import { aMessage, aSession, FakeSocket, mockApi } from './testing';
import { TranscriptView } from './TranscriptView';

const hostile = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">';

function serve(messages: MessageDto[]) {
  return mockApi(({ url }) => {
    if (url === '/api/admin/sessions/ses_1') return { status: 200, body: { session: aSession(), messages } };
    throw new Error(`unexpected ${url}`);
  });
}

function renderView(socket = new FakeSocket()) {
  const view = render(
    <TranscriptView sessionId="ses_1" socket={socket.asSocket()} epoch={0} onClose={jest.fn()} onUnauthorized={jest.fn()} />,
  );
  return { socket, ...view };
}

describe('TranscriptView', () => {
  it('renders markup in user and model text as literal text', async () => {
    serve([
      aMessage({ id: 'm1', seq: 1, content: hostile, participant: 'alice' }),
      aMessage({ id: 'm2', seq: 2, role: 'assistant', content: `echo: ${hostile}`, costMicros: 1500 }),
    ]);
    const { container } = renderView();

    expect((await screen.findByText(hostile)).tagName).toBe('P');
    expect(screen.getByText(`echo: ${hostile}`)).toBeTruthy();
    expect(container.querySelector('script, img')).toBeNull();
    expect((window as { __pwned?: boolean }).__pwned).toBeUndefined();
    expect(screen.getByText('alice')).toBeTruthy();
    expect(screen.getByText('$0.001500')).toBeTruthy();
  });

  it('collapses tool calls and tool results', async () => {
    serve([
      aMessage({
        id: 'm1',
        seq: 1,
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'lookup_order', arguments: '{"order":"42"}' }],
        usage: { promptTokens: 10, completionTokens: 3, cachedTokens: 0, totalTokens: 13, estimated: true },
      }),
      aMessage({ id: 'm2', seq: 2, role: 'tool', content: '{"status":"shipped"}', toolCallId: 'call_1' }),
    ]);
    renderView();

    const args = await screen.findByText('{"order":"42"}');
    expect(args.closest('details')?.open).toBe(false);
    expect(screen.getByText('Tool call: lookup_order')).toBeTruthy();
    expect(screen.getByText('{"status":"shipped"}').closest('details')?.open).toBe(false);
    expect(screen.getByText('10 in / 3 out (est.)')).toBeTruthy();
  });

  it('appends messages created live for this session only, in seq order', async () => {
    serve([aMessage({ id: 'm1', seq: 1, content: 'first' })]);
    const { socket } = renderView();
    await screen.findByText('first');

    act(() => {
      socket.serverEmit('message:created', { sessionId: 'other', message: aMessage({ id: 'x', seq: 2, content: 'elsewhere' }) });
      socket.serverEmit('message:created', { sessionId: 'ses_1', message: aMessage({ id: 'm2', seq: 2, content: 'second' }) });
      socket.serverEmit('message:created', { sessionId: 'ses_1', message: aMessage({ id: 'm2', seq: 2, content: 'second' }) });
    });

    expect(screen.queryByText('elsewhere')).toBeNull();
    expect(screen.getAllByRole('listitem').map((li) => li.querySelector('.text')?.textContent)).toEqual(['first', 'second']);
  });
});
