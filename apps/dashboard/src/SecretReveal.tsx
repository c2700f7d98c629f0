import { useRef, useState } from 'react';

interface Props {
  label: string;
  secret: string;
  onDone: () => void;
}

/** A secret the server returns once: shown until dismissed, with a copy button. */
export function SecretReveal({ label, secret, onDone }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);

  async function copy() {
    try {
      // navigator.clipboard exists only in secure contexts (https or localhost).
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      input.current?.select();
      setCopied('select');
    }
  }

  return (
    <div className="secret" role="status">
      <p>
        <strong>{label}</strong> It is shown only now: copy it and keep it somewhere safe.
      </p>
      <div className="secret-row">
        <input ref={input} readOnly aria-label={label} className="mono" value={secret} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={copy}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      {copied === 'yes' && <p className="muted">Copied to the clipboard.</p>}
      {copied === 'select' && <p className="muted">The clipboard is not available here; the text is selected, press Ctrl+C.</p>}
    </div>
  );
}
