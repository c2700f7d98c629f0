import { ChatClient } from './client.js';
import { Conversation } from './conversation.js';
import type { WidgetOptions } from './options.js';
import { recognitionConstructor, VoiceInput } from './speech.js';
import { pickStorage, SessionStore } from './storage.js';
import { WidgetView } from './view.js';

/** Wires the pieces: view events to the client, client events to the conversation and back to the view. */
export class Widget {
  private readonly conversation = new Conversation();
  private readonly store: SessionStore;
  private readonly client: ChatClient;
  private readonly view: WidgetView;
  private readonly voice: VoiceInput | null;
  private renderQueued = false;

  constructor(
    private readonly options: WidgetOptions,
    css: string,
  ) {
    this.store = new SessionStore(pickStorage(options.storage, window).store, options.apiOrigin, pickStorage('session', window).store);
    this.client = new ChatClient(options.apiOrigin, this.store, this.conversation, {
      changed: () => this.scheduleRender(),
      connection: (state) => this.view.setConnection(state),
      answered: (done) => done.message.content && this.view.announce(`${options.title}: ${done.message.content}`),
    });
    this.view = new WidgetView(document, options, css, {
      open: () => this.open(true),
      close: () => this.close(),
      send: (text) => void this.client.send(text),
      clear: () => void this.client.clear(),
      voice: () => this.toggleVoice(),
    });
    const Recognition = options.voice ? recognitionConstructor(window) : null;
    this.voice = Recognition ? new VoiceInput(Recognition, document.documentElement.lang || navigator.language || 'en-US') : null;
    this.view.setVoice(this.voice !== null, false);
  }

  mount(): void {
    document.body.append(this.view.host);
    // A refresh with the panel open brings it back open, history and all.
    if (this.store.open) this.open(false);
  }

  private open(moveFocus: boolean): void {
    this.store.open = true;
    this.view.setOpen(true, moveFocus);
    this.client.open().catch(() => undefined);
  }

  private close(): void {
    this.voice?.stop();
    this.view.setOpen(false, true);
    if (this.options.clearOnClose) void this.client.end();
    else this.store.open = false;
  }

  private toggleVoice(): void {
    const voice = this.voice;
    if (!voice) return;
    if (voice.listening) return voice.stop();
    this.view.setVoice(true, true);
    voice.start({
      interim: (text) => this.view.setDraft(text),
      final: (text) => {
        this.view.setDraft('');
        void this.client.send(text);
      },
      end: () => this.view.setVoice(true, false),
      error: (message) => {
        this.conversation.notice('error', message);
        this.scheduleRender();
      },
    });
  }

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.view.render(this.conversation.entries, this.conversation.status);
    });
  }
}
