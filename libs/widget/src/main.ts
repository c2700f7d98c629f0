// Entry of dist/widget.js: <script src="https://host/widget.js" data-title="Support" async></script>
import css from './widget.css?inline';
import { readOptions } from './options.js';
import { Widget } from './widget.js';

const BOOTED = '__threadlineWidget';

function ownScript(): HTMLScriptElement | null {
  // currentScript is set while a classic script (async included) first runs.
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  const scripts = Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]'));
  return scripts.find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src)) ?? null;
}

const flags = window as unknown as Record<string, unknown>;
if (!flags[BOOTED]) {
  flags[BOOTED] = true;
  const script = ownScript();
  const options = readOptions({ ...(script?.dataset ?? {}) }, script?.src, location.href);
  const start = () => new Widget(options, css).mount();
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
}
