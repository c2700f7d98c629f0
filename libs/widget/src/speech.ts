/** The part of the Web Speech API the widget uses (not in TypeScript's DOM library). */
interface RecognitionResultList {
  readonly length: number;
  [index: number]: { readonly isFinal: boolean; readonly length: number; [index: number]: { readonly transcript: string } };
}
interface RecognitionEvent {
  readonly resultIndex: number;
  readonly results: RecognitionResultList;
}
interface Recognition {
  lang: string;
  interimResults: boolean;
  continuous: boolean;
  maxAlternatives: number;
  onresult: ((event: RecognitionEvent) => void) | null;
  onerror: ((event: { error?: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
  abort(): void;
}
export type RecognitionConstructor = new () => Recognition;

/** SpeechRecognition where the browser has it (Chrome and Safari prefix it), else null: the mic button stays hidden. */
export function recognitionConstructor(win: object): RecognitionConstructor | null {
  const w = win as { SpeechRecognition?: unknown; webkitSpeechRecognition?: unknown };
  const ctor = w.SpeechRecognition ?? w.webkitSpeechRecognition;
  return typeof ctor === 'function' ? (ctor as RecognitionConstructor) : null;
}

export interface VoiceHandlers {
  /** what has been heard so far, while the user speaks */
  interim(text: string): void;
  /** the whole utterance, once the browser is sure of it */
  final(text: string): void;
  end(): void;
  error(message: string): void;
}

const ERRORS: Record<string, string> = {
  'not-allowed': 'Microphone access was refused.',
  'service-not-allowed': 'Speech recognition is not allowed here.',
  'no-speech': 'No speech was heard.',
  'audio-capture': 'No microphone was found.',
  network: 'Speech recognition needs a network connection.',
};

/** One utterance at a time, like seed 001's voice agent: listen, transcribe, hand the text over. */
export class VoiceInput {
  private active: Recognition | null = null;

  constructor(
    private readonly Ctor: RecognitionConstructor,
    private readonly lang: string,
  ) {}

  get listening(): boolean {
    return this.active !== null;
  }

  start(handlers: VoiceHandlers): void {
    if (this.active) return;
    const recognition = new this.Ctor();
    recognition.lang = this.lang;
    recognition.interimResults = true;
    recognition.continuous = false;
    recognition.maxAlternatives = 1;
    let finalText = '';
    recognition.onresult = (event) => {
      let interim = '';
      for (let i = event.resultIndex; i < event.results.length; i++) {
        const result = event.results[i];
        const transcript = result?.[0]?.transcript ?? '';
        if (result?.isFinal) finalText += transcript;
        else interim += transcript;
      }
      handlers.interim((finalText + interim).trim());
    };
    recognition.onerror = (event) => {
      if (event.error && event.error !== 'aborted') handlers.error(ERRORS[event.error] ?? 'Speech recognition failed.');
    };
    recognition.onend = () => {
      this.active = null;
      const text = finalText.trim();
      if (text) handlers.final(text);
      handlers.end();
    };
    this.active = recognition;
    try {
      recognition.start();
    } catch {
      this.active = null;
      handlers.error('Speech recognition could not start.');
      handlers.end();
    }
  }

  stop(): void {
    this.active?.stop();
  }
}
