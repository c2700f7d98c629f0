import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ApiKeyDto, UsageTotals } from '@threadline/contracts';
import { ApiKeysPage } from './ApiKeysPage';
import { mockApi } from './testing';

const budget = { tokensPerDay: null, tokensPerMonth: null, costMicrosPerDay: null, costMicrosPerMonth: null };
const aKey = (over: Partial<ApiKeyDto> = {}): ApiKeyDto => ({
  id: 'k1',
  name: 'mobile',
  tenant: 'acme',
  prefix: 'tl_abcdefg',
  createdAt: '2025-03-01T00:00:00.000Z',
  lastUsedAt: null,
  revokedAt: null,
  budget,
  ...over,
});
const sums = (over: Partial<UsageTotals>): UsageTotals => ({
  messages: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, totalTokens: 0, costMicros: 0, unpricedMessages: 0, estimatedMessages: 0, ...over,
});

function serve() {
  const calls: string[] = [];
  let keys = [aKey(), aKey({ id: 'k2', name: 'idle', prefix: 'tl_zzzzzzz' })];
  const fetchMock = mockApi(({ method, url, body }) => {
    calls.push(`${method} ${url}`);
    if (method === 'GET' && url === '/api/admin/api-keys') return { status: 200, body: keys };
    if (url.startsWith('/api/admin/usage?')) {
      return { status: 200, body: { topApiKeys: [{ apiKeyId: 'k1', name: 'mobile', prefix: 'tl_abcdefg', tenant: 'acme', ...sums({ messages: 4, promptTokens: 1000, completionTokens: 234, costMicros: 1500 }) }] } };
    }
    if (method === 'POST' && url === '/api/admin/api-keys') {
      const created = aKey({ id: 'k3', name: (body as { name: string }).name, prefix: 'tl_newnewn', tenant: 'fresh' });
      keys = [created, ...keys];
      return { status: 201, body: { ...created, secret: 'tl_newnewnewSECRET' } };
    }
    if (method === 'DELETE' && url === '/api/admin/api-keys/k1') return { status: 200, body: aKey({ revokedAt: '2025-03-31T09:00:00.000Z' }) };
    throw new Error(`unexpected ${method} ${url}`);
  });
  return { calls, fetchMock };
}

const now = () => new Date('2025-03-31T12:00:00Z');
const rowOf = (name: string) => screen.getByRole('cell', { name }).closest('tr')!;
const cells = (row: HTMLElement) => within(row).getAllByRole('cell').map((c) => c.textContent);

describe('ApiKeysPage', () => {
  it('lists keys with their last-30-day usage; a key missing from a short ranking used nothing', async () => {
    const { calls } = serve();
    render(<ApiKeysPage onUnauthorized={jest.fn()} now={now} />);
    await screen.findByText('mobile');
    await waitFor(() => expect(cells(rowOf('mobile')).slice(5, 8)).toEqual(['4', '1,234', '$0.001500']));
    expect(cells(rowOf('idle')).slice(5, 8)).toEqual(['0', '0', '$0.000000']);
    expect(calls).toContain('GET /api/admin/usage?from=2025-03-02&to=2025-03-31&top=100');
  });

  it('creates a key and shows its secret once, with a copy button', async () => {
    serve();
    const writeText = jest.fn(async (_text: string) => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<ApiKeysPage onUnauthorized={jest.fn()} now={now} />);
    await screen.findByText('mobile');

    fireEvent.change(screen.getByLabelText('Key name'), { target: { value: 'backend' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));

    const secret = (await screen.findByLabelText('Secret of "backend".')) as HTMLInputElement;
    expect(secret.value).toBe('tl_newnewnewSECRET');
    expect(screen.getByRole('cell', { name: 'backend' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    await screen.findByText('Copied to the clipboard.');
    expect(writeText).toHaveBeenCalledWith('tl_newnewnewSECRET');

    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByDisplayValue('tl_newnewnewSECRET')).toBeNull();
    expect(document.body.textContent).not.toContain('tl_newnewnewSECRET');
  });

  it('revokes a key after confirmation', async () => {
    const { calls } = serve();
    render(<ApiKeysPage onUnauthorized={jest.fn()} now={now} />);
    await screen.findByText('mobile');

    fireEvent.click(screen.getByRole('button', { name: 'Revoke mobile' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke this API key?' });
    expect(calls.some((c) => c.startsWith('DELETE'))).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));

    await screen.findByText('revoked 2025-03-31 09:00:00 UTC');
    expect(calls).toContain('DELETE /api/admin/api-keys/k1');
    expect(screen.queryByRole('button', { name: 'Revoke mobile' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Revoke idle' })).toBeTruthy();
  });
});
