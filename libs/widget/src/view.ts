import type { ConnectionState } from './client.js';
import type { Entry, MessageEntry } from './conversation.js';
import { costLine, shortId } from './format.js';
import type { WidgetOptions } from './options.js';

export interface ViewHandlers {
  open(): void;
  close(): void;
  send(text: string): void;
  clear(): void;
  voice(): void;
}

interface Item {
  li: HTMLLIElement;
  bubble: HTMLElement;
  meta?: HTMLElement;
  note?: HTMLElement;
  costToggle?: HTMLButtonElement;
  cost?: HTMLElement;
  rendered: string;
}

const ICONS = {
  chat: 'M6 3h12a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3h-8l-5 4v-4.2A3 3 0 0 1 3 15V6a3 3 0 0 1 3-3z',
  down: 'M5.6 8.2 12 14.6l6.4-6.4 1.6 1.6-8 8-8-8z',
  send: 'M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z',
  mic: 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11z',
};

/**
 * The widget's DOM, inside a shadow root. Everything the model or the user wrote goes
 * in through textContent: an answer containing markup shows as that markup, as text.
 */
export class WidgetView {
  readonly host: HTMLElement;
  private readonly root: ShadowRoot;
  private readonly frame: HTMLElement;
  private readonly launcher: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly conn: HTMLElement;
  private readonly body: HTMLElement;
  private readonly greeting: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly statusLine: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly mic: HTMLButtonElement;
  private readonly items = new Map<string, Item>();

  constructor(
    private readonly doc: Document,
    options: WidgetOptions,
    css: string,
    private readonly handlers: ViewHandlers,
  ) {
    this.host = doc.createElement('threadline-widget');
    this.root = this.host.attachShadow({ mode: 'open' });
    const style = doc.createElement('style');
    style.textContent = css;

    this.frame = this.el('div', { class: 'tl', 'data-position': options.position });
    if (options.accent) this.frame.style.setProperty('--tl-accent', options.accent);

    this.launcher = this.el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'tl-panel', 'aria-label': `Chat: ${options.title}` });
    this.launcher.append(icon(doc, ICONS.chat, 'when-closed'), icon(doc, ICONS.down, 'when-open'));

    this.panel = this.el('section', { id: 'tl-panel', class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'tl-title', hidden: '' });
    const header = this.el('header');
    const titles = this.el('div', { class: 'titles' });
    titles.append(this.el('h2', { id: 'tl-title' }, options.title));
    this.conn = this.el('p', { class: 'conn', 'data-state': 'idle' }, 'Not connected');
    titles.append(this.conn);
    const clear = this.el('button', { type: 'button', class: 'clear', 'aria-keyshortcuts': 'Control+K Meta+K', title: 'Start a new conversation (Ctrl/Cmd+K)' }, 'Clear');
    const close = this.el('button', { type: 'button', class: 'close', 'aria-label': 'Close chat', title: 'Close (Esc)' }, '×');
    header.append(titles, clear, close);

    this.body = this.el('div', { class: 'body' });
    this.greeting = this.el('p', { class: 'greeting' }, options.greeting);
    // Streaming would make a live log chatter token by token; finished answers are announced below instead.
    this.log = this.el('ol', { class: 'log', role: 'log', 'aria-live': 'off', 'aria-label': 'Conversation' });
    this.body.append(this.greeting, this.log);
    this.statusLine = this.el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.announcer = this.el('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });

    const form = this.el('form', { class: 'composer' });
    const label = this.el('label', { for: 'tl-input', class: 'sr-only' }, 'Message');
    this.input = this.el('textarea', { id: 'tl-input', rows: '1', placeholder: 'Type your message…', autocomplete: 'off', enterkeyhint: 'send' });
    this.mic = this.el('button', { type: 'button', class: 'mic', 'aria-label': 'Start voice input', 'aria-pressed': 'false', hidden: '' });
    this.mic.append(icon(doc, ICONS.mic));
    const send = this.el('button', { type: 'submit', class: 'send', 'aria-label': 'Send' });
    send.append(icon(doc, ICONS.send));
    form.append(label, this.input, this.mic, send);

    this.panel.append(header, this.body, this.statusLine, this.announcer, form);
    this.frame.append(this.launcher, this.panel);
    this.root.append(style, this.frame);

    this.launcher.addEventListener('click', () => (this.panel.hidden ? handlers.open() : handlers.close()));
    close.addEventListener('click', () => handlers.close());
    clear.addEventListener('click', () => {
      handlers.clear();
      this.input.focus();
    });
    this.mic.addEventListener('click', () => handlers.voice());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.autosize());
    this.root.addEventListener('keydown', (event) => this.onKey(event as KeyboardEvent));
    // Ctrl/Cmd+K also works while nothing in particular has focus; the host page keeps it otherwise.
    doc.addEventListener('keydown', (event) => {
      if (!this.panel.hidden && (doc.activeElement === doc.body || doc.activeElement === null)) this.onKey(event);
    });
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  setOpen(open: boolean, moveFocus: boolean): void {
    const hadFocus = this.root.activeElement !== null;
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    this.frame.toggleAttribute('data-open', open);
    if (open && moveFocus) this.input.focus({ preventScroll: true });
    if (!open && (moveFocus || hadFocus)) this.launcher.focus({ preventScroll: true });
    if (open) this.scrollToEnd();
  }

  setConnection(state: ConnectionState): void {
    this.conn.dataset.state = state.kind;
    this.conn.removeAttribute('title');
    delete this.conn.dataset.sessionId;
    if (state.kind === 'connected') {
      this.conn.textContent = `Connected · session ${shortId(state.sessionId)}`;
      this.conn.title = `Session ${state.sessionId}`;
      this.conn.dataset.sessionId = state.sessionId;
    } else {
      this.conn.textContent =
        state.kind === 'connecting' ? 'Connecting…' : state.kind === 'reconnecting' ? 'Connection lost, reconnecting…' : state.kind === 'unavailable' ? `Unavailable: ${state.message}` : 'Not connected';
    }
  }

  setVoice(available: boolean, listening: boolean): void {
    this.mic.hidden = !available;
    this.mic.setAttribute('aria-pressed', String(listening));
    this.mic.setAttribute('aria-label', listening ? 'Stop voice input' : 'Start voice input');
  }

  setDraft(text: string): void {
    this.input.value = text;
    this.autosize();
  }

  /** Finished answers are read out by screen readers (the streaming log itself is quiet). */
  announce(text: string): void {
    this.announcer.textContent = '';
    // A fresh text node after a tick makes screen readers announce even a repeated answer.
    setTimeout(() => (this.announcer.textContent = text), 30);
  }

  render(entries: readonly Entry[], status: string | null): void {
    const stick = this.body.scrollHeight - this.body.scrollTop - this.body.clientHeight < 60;
    const seen = new Set<string>();
    let previous: Element | null = null;
    for (const entry of entries) {
      let item = this.items.get(entry.key);
      if (!item) {
        item = this.create(entry);
        this.items.set(entry.key, item);
      }
      this.update(item, entry);
      const expected: ChildNode | null = previous ? previous.nextSibling : this.log.firstChild;
      if (expected !== item.li) this.log.insertBefore(item.li, expected);
      previous = item.li;
      seen.add(entry.key);
    }
    for (const [key, item] of this.items) {
      if (seen.has(key)) continue;
      item.li.remove();
      this.items.delete(key);
    }
    this.greeting.hidden = entries.some((e) => e.kind === 'message');
    if (this.statusLine.textContent !== (status ?? '')) this.statusLine.textContent = status ?? '';
    if (stick) this.scrollToEnd();
  }

  private create(entry: Entry): Item {
    if (entry.kind === 'notice') {
      const li = this.el('li', { class: 'notice', role: 'note', 'data-tone': entry.tone });
      return { li, bubble: li, rendered: '' };
    }
    const li = this.el('li', { class: `msg ${entry.role}` });
    li.append(this.el('span', { class: 'sr-only' }, entry.role === 'user' ? 'You: ' : 'Assistant: '));
    const bubble = this.el('div', { class: 'bubble' });
    const meta = this.el('div', { class: 'meta' });
    li.append(bubble, meta);
    const item: Item = { li, bubble, meta, rendered: '' };
    if (entry.role === 'assistant') {
      const costToggle = this.el('button', { type: 'button', class: 'cost-toggle', 'aria-expanded': 'false', hidden: '' }, 'Cost');
      const cost = this.el('span', { class: 'cost', hidden: '' });
      costToggle.addEventListener('click', () => {
        const show = cost.hidden;
        cost.hidden = !show;
        costToggle.setAttribute('aria-expanded', String(show));
      });
      meta.append(costToggle, cost);
      Object.assign(item, { costToggle, cost });
    }
    return item;
  }

  private update(item: Item, entry: Entry): void {
    if (entry.kind === 'notice') {
      if (item.rendered !== entry.text) item.bubble.textContent = item.rendered = entry.text;
      return;
    }
    if (item.rendered !== entry.text) item.bubble.textContent = item.rendered = entry.text;
    item.li.dataset.state = entry.state;
    if (entry.messageId) item.li.dataset.messageId = entry.messageId;
    item.li.setAttribute('aria-busy', String(entry.state === 'streaming'));
    const note = noteFor(entry);
    if (note && !item.note) {
      item.note = this.el('span', { class: 'note' });
      item.meta!.prepend(item.note);
    }
    if (item.note && item.note.textContent !== note) item.note.textContent = note;
    if (item.costToggle && item.cost) {
      const priced = (entry.state === 'complete' || entry.state === 'partial') && (entry.usage != null || (entry.costMicros ?? 0) > 0);
      item.costToggle.hidden = !priced;
      if (priced) {
        const line = costLine(entry.costMicros, entry.usage);
        if (item.cost.textContent !== line) item.cost.textContent = line;
        item.costToggle.setAttribute('aria-label', `Cost of this answer`);
      } else {
        item.cost.hidden = true;
      }
    }
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return;
    this.handlers.send(text);
    this.setDraft('');
    this.input.focus();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && !this.panel.hidden) {
      event.preventDefault();
      this.handlers.close();
    } else if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k' && !this.panel.hidden) {
      event.preventDefault();
      event.stopPropagation();
      this.handlers.clear();
    }
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 120)}px`;
  }

  private scrollToEnd(): void {
    this.body.scrollTop = this.body.scrollHeight;
  }

  private el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
    const node = this.doc.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }
}

function noteFor(entry: MessageEntry): string {
  switch (entry.state) {
    case 'sending':
      return 'Sending…';
    case 'failed':
      return 'Not sent';
    case 'partial':
      return 'Answer incomplete';
    default:
      return '';
  }
}

function icon(doc: Document, d: string, className?: string): SVGSVGElement {
  const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
  if (className) svg.setAttribute('class', className);
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}
