import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { UsageReport, UsageTotals } from '@threadline/contracts';
import { mockApi } from './testing';
import { EMPTY_TOTALS, fillDays } from './usage';
import { UsagePage } from './UsagePage';

const totals = (over: Partial<UsageTotals> = {}): UsageTotals => ({ ...EMPTY_TOTALS, ...over });

function aReport(from: string, to: string): UsageReport {
  return {
    from,
    to,
    totals: totals({ messages: 3, promptTokens: 1500, completionTokens: 250, cachedTokens: 1000, totalTokens: 1750, costMicros: 2_345_678, unpricedMessages: 1, estimatedMessages: 1 }),
    daily: [
      { day: to, ...totals({ messages: 2, promptTokens: 1000, completionTokens: 200, costMicros: 2_000_000 }) },
      { day: from, ...totals({ messages: 1, promptTokens: 500, completionTokens: 50, costMicros: 345_678 }) },
    ],
    models: [
      {
        model: 'gpt-4.1-nano',
        price: { model: 'gpt-4.1-nano', input: 0.1, cachedInput: 0.025, output: 0.4, source: 'default', version: 'v1' },
        ...totals({ messages: 2, costMicros: 2_345_678 }),
      },
      { model: 'mystery-model', price: null, ...totals({ messages: 1, unpricedMessages: 1 }) },
    ],
    channels: [{ channel: 'api', ...totals({ messages: 3, costMicros: 2_345_678 }) }],
    topEndUsers: [{ tenant: 'acme', endUserId: '<img src=x onerror=alert(1)>', ...totals({ messages: 2, costMicros: 2_000_000 }) }],
    topApiKeys: [{ apiKeyId: 'k1', name: 'mobile', prefix: 'tl_abcdefg', tenant: 'acme', ...totals({ messages: 3, costMicros: 2_345_678 }) }],
  };
}

function serve() {
  return mockApi(({ url }) => {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/admin/usage') return { status: 200, body: aReport(u.searchParams.get('from')!, u.searchParams.get('to')!) };
    throw new Error(`unexpected ${url}`);
  });
}

const now = () => new Date('2025-03-31T12:00:00Z');

describe('UsagePage', () => {
  it('asks for the last 30 UTC days and shows totals, models with their price, channels and the top lists', async () => {
    const fetchMock = serve();
    const { container } = render(<UsagePage onUnauthorized={jest.fn()} now={now} />);

    const figures = await screen.findByRole('region', { name: 'Totals' });
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('/api/admin/usage?from=2025-03-02&to=2025-03-31&top=10');
    expect(within(figures).getByText('$2.345678')).toBeTruthy();
    expect(within(figures).getByText('1,750')).toBeTruthy();
    expect(within(figures).getByText('1,500 in (1,000 cached) / 250 out')).toBeTruthy();

    const models = screen.getByRole('table', { name: 'Per model' });
    expect(within(models).getByText('$0.10 in / $0.025 cached / $0.40 out per 1M tokens')).toBeTruthy();
    expect(within(models).getByText('no price')).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Top API keys' })).getByText('mobile (tl_abcdefg…)')).toBeTruthy();
    // End-user ids come from integrators: shown as text, never markup.
    expect(within(screen.getByRole('table', { name: 'Top end users' })).getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();
    // Every day of the range is in the series, quiet days as zeros.
    expect(within(screen.getByRole('table', { name: 'Per day' })).getAllByRole('row')).toHaveLength(1 + 30);
  });

  it('changes the range with the presets and the date inputs', async () => {
    const fetchMock = serve();
    render(<UsagePage onUnauthorized={jest.fn()} now={now} />);
    await screen.findByRole('region', { name: 'Totals' });

    fireEvent.click(screen.getByRole('button', { name: 'Last 7 days' }));
    await waitFor(() => expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe('/api/admin/usage?from=2025-03-25&to=2025-03-31&top=10'));
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-01-01' } });
    await waitFor(() => expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe('/api/admin/usage?from=2025-01-01&to=2025-03-31&top=10'));
    await screen.findByText('Per day, 2025-01-01 to 2025-03-31 (UTC)');
  });

  it('fills the days between the reported ones with zeros, in order', () => {
    const days = fillDays(aReport('2025-02-27', '2025-03-02').daily, '2025-02-27', '2025-03-02');
    expect(days.map((d) => [d.day, d.costMicros])).toEqual([
      ['2025-02-27', 345_678],
      ['2025-02-28', 0],
      ['2025-03-01', 0],
      ['2025-03-02', 2_000_000],
    ]);
  });
});
