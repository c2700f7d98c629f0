import { describe, expect, it } from '@jest/globals';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App } from './App';
import { FakeSocket, mockApi } from './testing';

const connect = () => new FakeSocket().asSocket();

async function fillAndSubmit(email: string, password: string) {
  fireEvent.change(await screen.findByLabelText('Email'), { target: { value: email } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('App sign-in', () => {
  it('shows the server error message when login fails', async () => {
    const fetchMock = mockApi(({ url }) => {
      if (url === '/api/admin/me') return { status: 401, body: { error: { code: 'unauthorized', message: 'Not signed in' } } };
      if (url === '/api/admin/login') {
        return { status: 401, body: { error: { code: 'unauthorized', message: 'Wrong email or password' } } };
      }
      throw new Error(`unexpected ${url}`);
    });
    render(<App connectSocket={connect} />);

    await fillAndSubmit('ops@example.com', 'hunter2');

    expect((await screen.findByRole('alert')).textContent).toBe('Wrong email or password');
    // The me() 401 is the normal signed-out state, not an error to show.
    expect(screen.queryByText('Not signed in')).toBeNull();
    const login = fetchMock.mock.calls.find(([url]) => url === '/api/admin/login');
    expect(login?.[1]?.method).toBe('POST');
    expect(JSON.parse(String(login?.[1]?.body))).toEqual({ email: 'ops@example.com', password: 'hunter2' });
  });

  it('opens the sessions page after a successful login and returns to login on logout', async () => {
    let signedIn = false;
    mockApi(({ url }) => {
      if (url === '/api/admin/me') return { status: 401, body: { error: { code: 'unauthorized', message: 'no' } } };
      if (url === '/api/admin/login') {
        signedIn = true;
        return { status: 200, body: { staff: { id: 'st_1', email: 'ops@example.com', role: 'operator' } } };
      }
      if (url.startsWith('/api/admin/sessions?')) return { status: 200, body: { sessions: [], nextCursor: null } };
      if (url === '/api/admin/logout') {
        signedIn = false;
        return { status: 204 };
      }
      throw new Error(`unexpected ${url}`);
    });
    render(<App connectSocket={connect} />);

    await fillAndSubmit('ops@example.com', 'hunter2');
    expect(await screen.findByText('ops@example.com')).toBeTruthy();
    expect(await screen.findByText('No sessions.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(signedIn).toBe(false);
  });
});

describe('App pages', () => {
  const signedInAs = (role: 'admin' | 'operator' | 'viewer') =>
    mockApi(({ url }) => {
      if (url === '/api/admin/me') return { status: 200, body: { staff: { id: 'st_1', email: `${role}@example.com`, role } } };
      if (url.startsWith('/api/admin/sessions?')) return { status: 200, body: { sessions: [], nextCursor: null } };
      if (url === '/api/admin/api-keys') return { status: 200, body: [] };
      if (url.startsWith('/api/admin/audit?')) return { status: 200, body: { entries: [], nextCursor: null } };
      throw new Error(`unexpected ${url}`);
    });

  it('shows a viewer only the pages a viewer may use, and says so on the others', async () => {
    window.location.hash = '';
    signedInAs('viewer');
    render(<App connectSocket={connect} />);
    const nav = await screen.findByRole('navigation', { name: 'Pages' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Sessions', 'Usage & cost']);
    expect(within(nav).getByRole('link', { name: 'Sessions' }).getAttribute('aria-current')).toBe('page');

    act(() => {
      window.location.hash = '#/staff';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(await screen.findByText('This page needs the admin role; you are viewer.')).toBeTruthy();
  });

  it('takes an admin to every page through the hash', async () => {
    window.location.hash = '#/audit';
    signedInAs('admin');
    render(<App connectSocket={connect} />);
    const nav = await screen.findByRole('navigation', { name: 'Pages' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Sessions', 'Usage & cost', 'API keys', 'Audit log', 'Staff']);
    expect(await screen.findByRole('heading', { name: 'Audit log' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'Audit log' }).getAttribute('aria-current')).toBe('page');
  });
});

