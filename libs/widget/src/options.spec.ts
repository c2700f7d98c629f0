import { costLine, formatCost, shortId } from './format.js';
import { apiOriginOf, parseAccent, readOptions } from './options.js';
import { MemoryStore, pickStorage, SessionStore, type KeyValueStore } from './storage.js';

describe('widget options', () => {
  it('derives the api origin from the script src, or data-api, never from a non-http URL', () => {
    expect(apiOriginOf({}, 'https://chat.example.com/widget.js?v=2', 'https://shop.example/page')).toBe('https://chat.example.com');
    expect(apiOriginOf({ api: 'https://api.example.com/base' }, 'https://cdn.example/widget.js', 'https://shop.example/')).toBe('https://api.example.com');
    expect(apiOriginOf({}, '/widget.js', 'http://127.0.0.1:3000/demo')).toBe('http://127.0.0.1:3000');
    expect(apiOriginOf({ api: 'javascript:alert(1)' }, null, 'https://shop.example/')).toBe('https://shop.example');
  });

  it('reads data-attributes with safe defaults (session storage, voice on, keep on close)', () => {
    expect(readOptions({}, 'https://h/widget.js', 'https://p/')).toEqual({
      apiOrigin: 'https://h', title: 'Chat', greeting: 'Hi! Ask me anything.', storage: 'session', clearOnClose: false, voice: true, position: 'right', accent: null,
    });
    expect(readOptions({ title: '  Support  ', storage: 'local', clearOnClose: 'true', voice: 'false', position: 'left', accent: '#ff0066' }, 'https://h/widget.js', 'https://p/')).toMatchObject({
      title: 'Support', storage: 'local', clearOnClose: true, voice: false, position: 'left', accent: '#ff0066',
    });
    expect(readOptions({ clearOnClose: '' }, null, 'https://p/').clearOnClose).toBe(true);
    expect(readOptions({ storage: 'cookies', clearOnClose: 'maybe' }, null, 'https://p/')).toMatchObject({ storage: 'session', clearOnClose: false });
  });

  it('accepts only plain colours as the accent (it lands in CSS)', () => {
    expect(parseAccent('rgb(10, 20, 30)')).toBe('rgb(10, 20, 30)');
    expect(parseAccent('teal')).toBe('teal');
    expect(parseAccent('red; background: url(x)')).toBeNull();
    expect(parseAccent('#12345')).toBeNull();
  });
});

describe('widget storage', () => {
  const throwing: KeyValueStore = {
    getItem: () => {
      throw new Error('SecurityError');
    },
    setItem: () => {
      throw new Error('SecurityError');
    },
    removeItem: () => undefined,
  };

  it('uses sessionStorage by default and localStorage when asked', () => {
    const session = new MemoryStore();
    const local = new MemoryStore();
    expect(pickStorage('session', { sessionStorage: session, localStorage: local }).store).toBe(session);
    expect(pickStorage('local', { sessionStorage: session, localStorage: local })).toEqual({ store: local, kind: 'local' });
  });

  it('falls back to memory where the browser refuses storage', () => {
    const picked = pickStorage('local', { localStorage: throwing });
    expect(picked.kind).toBe('memory');
    expect(pickStorage('session', {}).kind).toBe('memory');
  });

  it('keeps the session per api origin, the open panel per tab, survives garbage, and forgets on request', () => {
    const raw = new MemoryStore();
    const tab = new MemoryStore();
    const a = new SessionStore(raw, 'https://a.example', tab);
    const b = new SessionStore(raw, 'https://b.example');
    expect(a.load()).toBeNull();
    a.save({ sessionId: 'abc', token: 't' });
    a.open = true;
    expect(a.load()).toEqual({ sessionId: 'abc', token: 't' });
    expect(a.open).toBe(true);
    // another tab shares the (local) session store but not the tab store
    const otherTab = new SessionStore(raw, 'https://a.example', new MemoryStore());
    expect(otherTab.load()).toEqual({ sessionId: 'abc', token: 't' });
    expect(otherTab.open).toBe(false);
    expect(b.load()).toBeNull();
    a.forget();
    expect(a.load()).toBeNull();
    expect(a.open).toBe(false);
    raw.setItem('threadline:https://b.example', '{not json');
    expect(b.load()).toBeNull();
    raw.setItem('threadline:https://b.example', JSON.stringify({ session: { sessionId: 5 } }));
    expect(b.load()).toBeNull();
  });
});

describe('widget formatting', () => {
  it('shows micro-dollars as dollars', () => {
    expect(formatCost(42)).toBe('$0.000042');
    expect(formatCost(120_000)).toBe('$0.12');
    expect(formatCost(1_500_000)).toBe('$1.50');
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(null)).toMatch(/no price/);
    expect(costLine(42, { promptTokens: 1200, completionTokens: 30, cachedTokens: 0, totalTokens: 1230, estimated: true })).toBe('$0.000042 · 1,230 tokens (1,200 in, 30 out), estimated');
    expect(shortId('AbCdEfGhIjKl')).toBe('AbCdEfGh…');
  });
});
