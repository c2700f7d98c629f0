import { describe, expect, it, jest } from '@jest/globals';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { SessionSummaryDto, StaffRole } from '@threadline/contracts';
import { SessionsPage } from './SessionsPage';
import { aSession, FakeSocket, mockApi } from './testing';

function serve(sessions: SessionSummaryDto[], nextCursor: string | null = null) {
  return mockApi(({ url }) => {
    if (url.startsWith('/api/admin/sessions?')) return { status: 200, body: { sessions, nextCursor } };
    throw new Error(`unexpected ${url}`);
  });
}

function renderPage(role: StaffRole = 'viewer') {
  const socket = new FakeSocket();
  const view = render(<SessionsPage connectSocket={() => socket.asSocket()} onUnauthorized={jest.fn()} role={role} />);
  return { socket, ...view };
}

/** Row text by cell, so assertions read like the table. */
const rowCells = (row: HTMLElement) => within(row).getAllByRole('cell').map((c) => c.textContent);
const bodyRows = () => screen.getAllByRole('row').slice(1);

describe('SessionsPage', () => {
  it('renders one row per session with summed tokens, dollar cost and UTC time', async () => {
    const fetchMock = serve(
      [
        aSession({ id: 'a', key: 'web:alpha', promptTokens: 1200, completionTokens: 34, costMicros: 123 }),
        aSession({
          id: 'b',
          channel: 'slack',
          key: 'slack:T1:C2',
          status: 'expired',
          endUserId: null,
          messageCount: 7,
          costMicros: 2_500_000,
          lastActivityAt: '2025-12-31T23:59:58.900Z',
        }),
      ],
      'cursor-2',
    );
    renderPage();

    await screen.findByText('web:alpha');
    expect(bodyRows().map(rowCells)).toEqual([
      ['web', 'web:alpha', 'active', 'user-1', '2', '1,234', '$0.000123', '2025-03-04 05:06:07 UTC'],
      ['slack', 'slack:T1:C2', 'expired', '—', '7', '15', '$2.500000', '2025-12-31 23:59:58 UTC'],
    ]);
    expect(screen.getByRole('button', { name: 'Load more' })).toBeTruthy();
    // Blank filters must be left out: the server rejects `status=` as an invalid enum value.
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/admin/sessions?limit=50');
  });

  it('adds a session announced live over the socket to the top of the table', async () => {
    serve([aSession({ id: 'old', key: 'web:old' })]);
    const { socket } = renderPage();
    await screen.findByText('web:old');
    expect(screen.getByText('offline')).toBeTruthy();

    act(() => socket.serverEmit('connect'));
    expect(screen.getByText('live')).toBeTruthy();
    await screen.findByText('web:old'); // the reconnect refetch settles

    act(() => socket.serverEmit('session:created', aSession({ id: 'new', key: 'api:new', channel: 'api', costMicros: 42 })));

    expect(bodyRows().map((r) => rowCells(r)[1])).toEqual(['api:new', 'web:old']);
    expect(rowCells(bodyRows()[0]!)[6]).toBe('$0.000042');
  });

  it('moves an updated session to the top without duplicating it', async () => {
    serve([aSession({ id: 'a', key: 'web:a' }), aSession({ id: 'b', key: 'web:b', messageCount: 1 })]);
    const { socket } = renderPage();
    await screen.findByText('web:b');

    act(() => socket.serverEmit('session:updated', aSession({ id: 'b', key: 'web:b', messageCount: 3 })));

    expect(bodyRows().map((r) => rowCells(r).slice(1, 5))).toEqual([
      ['web:b', 'active', 'user-1', '3'],
      ['web:a', 'active', 'user-1', '2'],
    ]);
  });

  it('sends every filter to the server, and waits for three characters before searching', async () => {
    const fetchMock = serve([aSession()]);
    renderPage();
    await screen.findByText('web:abc');
    const urls = () => fetchMock.mock.calls.map(([url]) => String(url));

    fireEvent.change(screen.getByLabelText('Channel'), { target: { value: 'api' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-03-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2025-03-31' } });
    fireEvent.change(screen.getByLabelText('End user'), { target: { value: 'alice' } });
    fireEvent.change(screen.getByLabelText('API key id'), { target: { value: '0195f0c1-0000-7000-8000-00000000000a' } });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'ab' } });
    expect(await screen.findByText('Type at least 3 characters to search.')).toBeTruthy();
    await waitFor(() => expect(urls().at(-1)).toContain('endUserId=alice'));
    expect(urls().at(-1)).toBe(
      '/api/admin/sessions?limit=50&channel=api&endUserId=alice&apiKeyId=0195f0c1-0000-7000-8000-00000000000a&from=2025-03-01&to=2025-03-31',
    );

    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'abc' } });
    await waitFor(() => expect(urls().at(-1)).toMatch(/&q=abc$/));
  });

  it('lets admins pick an API key by name', async () => {
    const fetchMock = mockApi(({ url }) => {
      if (url === '/api/admin/api-keys') {
        return { status: 200, body: [{ id: '0195f0c1-0000-7000-8000-0000000000bb', name: 'mobile', tenant: 't', prefix: 'tl_abcdefg', createdAt: '', lastUsedAt: null, revokedAt: null }] };
      }
      if (url.startsWith('/api/admin/sessions?')) return { status: 200, body: { sessions: [], nextCursor: null } };
      throw new Error(`unexpected ${url}`);
    });
    renderPage('admin');
    const select = await screen.findByRole('combobox', { name: 'API key' });
    await screen.findByRole('option', { name: 'mobile (tl_abcdefg…)' });
    fireEvent.change(select, { target: { value: '0195f0c1-0000-7000-8000-0000000000bb' } });
    await waitFor(() => expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe('/api/admin/sessions?limit=50&apiKeyId=0195f0c1-0000-7000-8000-0000000000bb'));
  });

  it('keeps live events that no longer match the filters out of the list', async () => {
    const fetchMock = serve([aSession({ id: 'a', key: 'web:a', endUserId: 'alice' })]);
    const { socket } = renderPage();
    await screen.findByText('web:a');
    fireEvent.change(screen.getByLabelText('End user'), { target: { value: 'alice' } });
    await waitFor(() => expect(String(fetchMock.mock.calls.at(-1)?.[0])).toContain('endUserId=alice'));
    await screen.findByText('web:a');

    act(() => {
      socket.serverEmit('session:created', aSession({ id: 'b', key: 'web:bob', endUserId: 'bob' }));
      socket.serverEmit('session:created', aSession({ id: 'c', key: 'web:alice-2', endUserId: 'alice' }));
    });
    expect(bodyRows().map((r) => rowCells(r)[1])).toEqual(['web:alice-2', 'web:a']);

    // The row leaves once it stops matching (here: it ended while the list shows active ones).
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'active' } });
    await screen.findByText('web:a');
    act(() => socket.serverEmit('session:updated', aSession({ id: 'a', key: 'web:a', endUserId: 'alice', status: 'cleared' })));
    expect(screen.queryByText('web:a')).toBeNull();
  });

  it('does not add unknown sessions to a list filtered by API key, which only the server can judge', async () => {
    const fetchMock = serve([aSession({ id: 'a', key: 'api:a', channel: 'api' })]);
    const { socket } = renderPage();
    await screen.findByText('api:a');
    fireEvent.change(screen.getByLabelText('API key id'), { target: { value: '0195f0c1-0000-7000-8000-00000000000a' } });
    await waitFor(() => expect(String(fetchMock.mock.calls.at(-1)?.[0])).toContain('apiKeyId='));
    await screen.findByText('api:a');

    act(() => {
      socket.serverEmit('session:created', aSession({ id: 'x', key: 'api:x', channel: 'api' }));
      socket.serverEmit('session:updated', aSession({ id: 'a', key: 'api:a', channel: 'api', messageCount: 9 }));
    });
    expect(bodyRows().map((r) => rowCells(r).slice(1, 5))).toEqual([['api:a', 'active', 'user-1', '9']]);
  });
});

