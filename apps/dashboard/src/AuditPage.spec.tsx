import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { AuditEntryDto } from '@threadline/contracts';
import { AuditPage } from './AuditPage';
import { mockApi } from './testing';

const entry = (n: number, over: Partial<AuditEntryDto> = {}): AuditEntryDto => ({
  id: `a${n}`,
  at: `2025-03-0${n}T10:00:00.000Z`,
  actor: 'staff:ops@example.com',
  action: 'session.clear',
  target: `0195f0c1-0000-7000-8000-00000000000${n}`,
  details: { channel: 'web' },
  ...over,
});

describe('AuditPage', () => {
  it('lists entries newest first, links session targets to their transcript, and pages with the cursor', async () => {
    const fetchMock = mockApi(({ url }) => {
      if (url === '/api/admin/audit?limit=50') return { status: 200, body: { entries: [entry(3), entry(2, { action: 'api-key.revoke', details: null })], nextCursor: 'c2' } };
      if (url === '/api/admin/audit?limit=50&cursor=c2') return { status: 200, body: { entries: [entry(1, { details: { note: '<b>x</b>' } })], nextCursor: null } };
      throw new Error(`unexpected ${url}`);
    });
    render(<AuditPage onUnauthorized={jest.fn()} />);

    const table = await screen.findByRole('table', { name: 'Audit log' });
    await within(table).findByText('2025-03-03 10:00:00 UTC');
    const rows = () => within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(rows()).toEqual([
      ['2025-03-03 10:00:00 UTC', 'staff:ops@example.com', 'session.clear', '0195f0c1-0000-7000-8000-000000000003', '{"channel":"web"}'],
      ['2025-03-02 10:00:00 UTC', 'staff:ops@example.com', 'api-key.revoke', '0195f0c1-0000-7000-8000-000000000002', '—'],
    ]);
    expect(within(table).getByRole('link', { name: '0195f0c1-0000-7000-8000-000000000003' }).getAttribute('href')).toBe(
      '#/sessions/0195f0c1-0000-7000-8000-000000000003',
    );
    // Only session targets are sessions.
    expect(within(table).queryByRole('link', { name: '0195f0c1-0000-7000-8000-000000000002' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await within(table).findByText('{"note":"<b>x</b>"}');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('filters by action on the server', async () => {
    const fetchMock = mockApi(({ url }) => ({ status: 200, body: { entries: url.includes('action=') ? [entry(1, { action: 'staff.create' })] : [], nextCursor: null } }));
    render(<AuditPage onUnauthorized={jest.fn()} />);
    await screen.findByText('Nothing recorded yet.');
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'staff.create' } });
    await screen.findByText('staff.create', { selector: 'td' });
    await waitFor(() => expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe('/api/admin/audit?limit=50&action=staff.create'));
  });

  it('hands a 401 to the app so it shows the login page', async () => {
    mockApi(() => ({ status: 401, body: { error: { code: 'unauthorized', message: 'log in first' } } }));
    const onUnauthorized = jest.fn();
    render(<AuditPage onUnauthorized={onUnauthorized} />);
    await waitFor(() => expect(onUnauthorized).toHaveBeenCalled());
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
