/**
 * An answer started while the turn's user message is still being committed: the model
 * call is prepared at once (window, request, socket) but sent only when `adopt` opens its
 * gate, after the commit. The turn adopts it when the message landed where it was
 * predicted to, and otherwise cancels it and answers the ordinary way; a cancelled call
 * never reaches the upstream.
 */
export class EarlyAnswer<T, Basis> {
  private readonly abort = new AbortController();
  private openGate!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.openGate = resolve));
  private running: { answer: Promise<T>; basis: Basis } | null = null;
  private decided = false;
  private readonly detach: () => void;

  /**
   * `outer`: the turn's own signal (a client that went away), which also stops an adopted
   * answer. It may outlive the turn by far (the webhook channels pass their shutdown
   * signal), so the listener goes as soon as the answer is cancelled or has settled.
   */
  constructor(outer?: AbortSignal) {
    const onAbort = () => this.abort.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    this.detach = () => outer?.removeEventListener('abort', onAbort);
  }

  /**
   * Starts the answer unless the turn has already decided; `run` calls the model with this
   * signal and gate. `basis`: what the answer assumed, for `adopt` to check.
   */
  start(basis: Basis, run: (signal: AbortSignal, sendAfter: Promise<void>) => Promise<T>): void {
    if (this.decided) return;
    const answer = run(this.abort.signal, this.gate);
    // It rejects when cancelled; an adopted one's failure reaches whoever adopted it.
    answer.catch(() => undefined);
    this.running = { answer, basis };
  }

  /** The started answer, its request now free to leave; null (and cancelled) when it never started or its basis did not hold. */
  adopt(holds: (basis: Basis) => boolean): Promise<T> | null {
    if (this.decided || !this.running || !holds(this.running.basis)) {
      this.cancel();
      return null;
    }
    this.decided = true;
    this.openGate();
    this.running.answer.then(this.detach, this.detach);
    return this.running.answer;
  }

  cancel(): void {
    if (this.decided) return;
    this.decided = true;
    this.detach();
    this.abort.abort();
  }
}
