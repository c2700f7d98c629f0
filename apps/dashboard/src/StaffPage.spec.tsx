import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { StaffMemberDto } from '@threadline/contracts';
import { StaffPage } from './StaffPage';
import { mockApi } from './testing';

const member = (id: string, email: string, role: StaffMemberDto['role']): StaffMemberDto => ({ id, email, role, createdAt: '2025-03-01T00:00:00.000Z' });
const me = { id: 's1', email: 'root@example.com', role: 'admin' as const };

function serve() {
  const calls: Array<{ method: string; url: string; body: unknown }> = [];
  mockApi((req) => {
    calls.push(req);
    const { method, url, body } = req;
    if (method === 'GET' && url === '/api/admin/staff') return { status: 200, body: [member('s1', 'root@example.com', 'admin'), member('s2', 'ops@example.com', 'operator')] };
    if (method === 'POST' && url === '/api/admin/staff') {
      const { email, role } = body as { email: string; role: StaffMemberDto['role'] };
      if (email === 'ops@example.com') return { status: 409, body: { error: { code: 'conflict', message: 'a staff account with this email already exists' } } };
      return { status: 201, body: { staff: member('s3', email, role), password: 'generated-pass-123' } };
    }
    if (method === 'PATCH' && url === '/api/admin/staff/s2') return { status: 200, body: member('s2', 'ops@example.com', (body as { role: StaffMemberDto['role'] }).role) };
    if (method === 'DELETE' && url === '/api/admin/staff/s2') return { status: 200, body: member('s2', 'ops@example.com', 'operator') };
    throw new Error(`unexpected ${method} ${url}`);
  });
  return calls;
}

describe('StaffPage', () => {
  it('adds a viewer and shows the generated password once', async () => {
    const calls = serve();
    render(<StaffPage me={me} onUnauthorized={jest.fn()} />);
    await screen.findByText('ops@example.com');

    fireEvent.change(screen.getByLabelText('New staff email'), { target: { value: 'viewer@example.com' } });
    fireEvent.change(screen.getByLabelText('New staff role'), { target: { value: 'viewer' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add account' }));

    expect(((await screen.findByLabelText('Password of viewer@example.com.')) as HTMLInputElement).value).toBe('generated-pass-123');
    expect((screen.getByLabelText('Role of viewer@example.com') as HTMLSelectElement).value).toBe('viewer');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'viewer@example.com', role: 'viewer' });
  });

  it('shows the server refusal, changes roles, and removes after confirmation; never your own account', async () => {
    const calls = serve();
    render(<StaffPage me={me} onUnauthorized={jest.fn()} />);
    await screen.findByText('ops@example.com');
    expect((screen.getByLabelText('Role of root@example.com') as HTMLSelectElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Remove root@example.com' })).toBeNull();

    fireEvent.change(screen.getByLabelText('New staff email'), { target: { value: 'ops@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add account' }));
    expect((await screen.findByRole('alert')).textContent).toBe('a staff account with this email already exists');

    fireEvent.change(screen.getByLabelText('Role of ops@example.com'), { target: { value: 'viewer' } });
    await waitFor(() => expect((screen.getByLabelText('Role of ops@example.com') as HTMLSelectElement).value).toBe('viewer'));
    expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({ url: '/api/admin/staff/s2', body: { role: 'viewer' } });

    fireEvent.click(screen.getByRole('button', { name: 'Remove ops@example.com' }));
    fireEvent.click(within(screen.getByRole('dialog', { name: 'Remove this account?' })).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByText('ops@example.com')).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual(['/api/admin/staff/s2']);
  });
});
