import { describe, expect, it, jest } from '@jest/globals';
import { act, render, screen, within } from '@testing-library/react';
import type { SessionSummaryDto } from '@threadline/contracts';
import { SessionsPage } from './SessionsPage';
import { aSession, FakeSocket, mockApi } from './testing';

function serve(sessions: SessionSummaryDto[], nextCursor: string | null = null) {
  return mockApi(({ url }) => {
    if (url.startsWith('/api/admin/sessions?')) return { status: 200, body: { sessions, nextCursor } };
    throw new Error(`unexpected ${url}`);
  });
}

function renderPage() {
  const socket = new FakeSocket();
  const view = render(<SessionsPage connectSocket={() => socket.asSocket()} onUnauthorized={jest.fn()} />);
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
});
