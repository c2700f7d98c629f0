import { describe, expect, it, jest } from '@jest/globals';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import type { MessageDto, StaffRole } from '@threadline/contracts';
import { aMessage, aSession, FakeSocket, mockApi, readBlob } from './testing';
import { TranscriptView } from './TranscriptView';

const hostile = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">';

function serve(messages: MessageDto[]) {
  return mockApi(({ url }) => {
    if (url === '/api/admin/sessions/ses_1') return { status: 200, body: { session: aSession(), messages } };
    throw new Error(`unexpected ${url}`);
  });
}

function renderView(socket = new FakeSocket(), role: StaffRole = 'viewer') {
  const view = render(
    <TranscriptView sessionId="ses_1" socket={socket.asSocket()} epoch={0} role={role} onClose={jest.fn()} onUnauthorized={jest.fn()} />,
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

  it('shows the price that applied to each answer', async () => {
    serve([
      aMessage({
        id: 'm1',
        role: 'assistant',
        content: 'priced',
        model: 'gpt-4.1-nano-2025-04-14',
        costMicros: 57,
        price: { model: 'gpt-4.1-nano', input: 0.1, cachedInput: 0.025, output: 0.4, source: 'default', version: 'abc123' },
      }),
    ]);
    renderView();
    expect(await screen.findByText('priced as gpt-4.1-nano: $0.10 in / $0.025 cached / $0.40 out per 1M tokens')).toBeTruthy();
    expect(screen.getByText('$0.000057')).toBeTruthy();
  });

  it('streams an answer in progress from message:delta, then replaces it with the stored message', async () => {
    serve([aMessage({ id: 'm1', seq: 1, content: 'question' })]);
    const { socket } = renderView();
    await screen.findByText('question');

    act(() => {
      socket.serverEmit('message:delta', { sessionId: 'ses_1', turnId: 't1', text: 'Hel' });
      socket.serverEmit('message:delta', { sessionId: 'other', turnId: 't9', text: 'not ours' });
      socket.serverEmit('message:delta', { sessionId: 'ses_1', turnId: 't1', text: 'lo <b>there</b>' });
    });
    const draft = screen.getByRole('listitem', { name: 'Answer in progress' });
    expect(draft.querySelector('.text')?.textContent).toBe('Hello <b>there</b>');
    expect(draft.querySelector('b')).toBeNull();

    act(() => socket.serverEmit('message:created', { sessionId: 'ses_1', message: aMessage({ id: 'm2', seq: 2, role: 'assistant', content: 'Hello there, stored' }) }));
    expect(screen.queryByRole('listitem', { name: 'Answer in progress' })).toBeNull();
    expect(screen.getByText('Hello there, stored')).toBeTruthy();

    // A new turn starts a new draft instead of appending to the old one.
    act(() => socket.serverEmit('message:delta', { sessionId: 'ses_1', turnId: 't2', text: 'Next' }));
    expect(screen.getByRole('listitem', { name: 'Answer in progress' }).querySelector('.text')?.textContent).toBe('Next');
  });

  it('exports the transcript as JSON and Markdown files', async () => {
    serve([aMessage({ id: 'm1', seq: 1, content: 'export me' })]);
    const blobs: Blob[] = [];
    const names: string[] = [];
    URL.createObjectURL = ((blob: Blob) => {
      blobs.push(blob);
      return `blob:${blobs.length}`;
    }) as typeof URL.createObjectURL;
    URL.revokeObjectURL = () => undefined;
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    try {
      renderView();
      await screen.findByText('export me');
      fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
      fireEvent.click(screen.getByRole('button', { name: 'Export Markdown' }));
    } finally {
      click.mockRestore();
    }

    expect(names).toEqual(['transcript-web-2025-03-04-ses_1.json', 'transcript-web-2025-03-04-ses_1.md']);
    const json = JSON.parse(await readBlob(blobs[0]!));
    expect(json.session.id).toBe('ses_1');
    expect(json.messages.map((m: MessageDto) => m.content)).toEqual(['export me']);
    expect(blobs[1]!.type).toBe('text/markdown');
    expect(await readBlob(blobs[1]!)).toContain('```\nexport me\n```');
  });

  it('disables actions the role may not take', async () => {
    serve([]);
    renderView(new FakeSocket(), 'viewer');
    const actions = await screen.findByRole('group', { name: 'Session actions' });
    for (const name of ['Clear', 'Expire', 'Delete']) {
      const button = within(actions).getByRole('button', { name }) as HTMLButtonElement;
      expect(button.disabled).toBe(true);
    }
    expect(within(actions).getByRole('button', { name: 'Clear' }).title).toBe('Needs the operator role; you are viewer.');
  });

  it('clears only after confirmation, then shows the ended session', async () => {
    const calls: string[] = [];
    mockApi(({ method, url }) => {
      calls.push(`${method} ${url}`);
      if (url === '/api/admin/sessions/ses_1') return { status: 200, body: { session: aSession({ status: calls.some((c) => c.includes('/clear')) ? 'cleared' : 'active' }), messages: [] } };
      if (url === '/api/admin/sessions/ses_1/clear') return { status: 200, body: aSession({ status: 'cleared' }) };
      throw new Error(`unexpected ${url}`);
    });
    renderView(new FakeSocket(), 'operator');
    const actions = await screen.findByRole('group', { name: 'Session actions' });
    expect((within(actions).getByRole('button', { name: 'Delete' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(within(actions).getByRole('button', { name: 'Clear' }));
    const dialog = screen.getByRole('dialog', { name: 'Clear this session?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.startsWith('POST'))).toEqual([]);

    fireEvent.click(within(actions).getByRole('button', { name: 'Clear' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Clear' }));

    await screen.findByText('cleared');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.startsWith('POST'))).toEqual(['POST /api/admin/sessions/ses_1/clear']);
    expect((within(actions).getByRole('button', { name: 'Clear' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('keeps the dialog open with the server message when the action is refused', async () => {
    mockApi(({ method, url }) => {
      if (method === 'GET' && url === '/api/admin/sessions/ses_1') return { status: 200, body: { session: aSession(), messages: [] } };
      return { status: 403, body: { error: { code: 'forbidden', message: 'this needs the admin role; you are operator' } } };
    });
    renderView(new FakeSocket(), 'admin');
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this session for good?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('this needs the admin role; you are operator');
  });
});

