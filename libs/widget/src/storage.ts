import type { StorageKind } from './options.js';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface StorageHost {
  readonly sessionStorage?: KeyValueStore;
  readonly localStorage?: KeyValueStore;
}

export class MemoryStore implements KeyValueStore {
  private readonly values = new Map<string, string>();
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.values.set(key, value);
  }
  removeItem(key: string): void {
    this.values.delete(key);
  }
}

/**
 * The store the option asks for, or memory where the browser refuses it (blocked
 * cookies, some private modes and sandboxed frames throw on access): the chat still
 * works, it just does not survive a refresh.
 */
export function pickStorage(kind: StorageKind, host: StorageHost): { store: KeyValueStore; kind: StorageKind | 'memory' } {
  try {
    const store = kind === 'local' ? host.localStorage : host.sessionStorage;
    if (store) {
      const probe = '__threadline_probe__';
      store.setItem(probe, '1');
      store.removeItem(probe);
      return { store, kind };
    }
  } catch {
    /* fall through to memory */
  }
  return { store: new MemoryStore(), kind: 'memory' };
}

export interface SavedSession {
  sessionId: string;
  token: string;
}

/**
 * The widget's few persisted facts, namespaced by api origin so two Threadlines on one
 * page never mix: the session in the store the option chose, and whether the panel is
 * open in the tab's own store (a refresh reopens it; a new tab starts closed either way).
 */
export class SessionStore {
  private readonly key: string;

  constructor(
    private readonly store: KeyValueStore,
    apiOrigin: string,
    private readonly tabStore: KeyValueStore = store,
  ) {
    this.key = `threadline:${apiOrigin}`;
  }

  load(): SavedSession | null {
    const s = read(this.store, this.key).session as Partial<SavedSession> | undefined;
    return s && typeof s.sessionId === 'string' && typeof s.token === 'string' && s.sessionId && s.token ? { sessionId: s.sessionId, token: s.token } : null;
  }

  save(session: SavedSession): void {
    write(this.store, this.key, { ...read(this.store, this.key), session });
  }

  forget(): void {
    write(this.store, this.key, { ...read(this.store, this.key), session: undefined });
    this.open = false;
  }

  get open(): boolean {
    return read(this.tabStore, `${this.key}:tab`).open === true;
  }

  set open(value: boolean) {
    write(this.tabStore, `${this.key}:tab`, { open: value });
  }
}

function read(store: KeyValueStore, key: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(store.getItem(key) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function write(store: KeyValueStore, key: string, value: Record<string, unknown>): void {
  try {
    store.setItem(key, JSON.stringify(value));
  } catch {
    /* quota or a store that went away: the chat goes on in memory */
  }
}
