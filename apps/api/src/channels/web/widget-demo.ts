const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * GET /demo: a plain host page that embeds the widget with the one tag an integrator
 * would use. Its own CSS is deliberately hostile to show the widget is unaffected.
 */
export function demoPage(origin: string): string {
  const tag = `<script src="${origin}/widget.js" data-title="Support" async></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Threadline widget demo</title>
<style>
  body { font: 16px/1.6 Georgia, serif; max-width: 46rem; margin: 3rem auto; padding: 0 1.25rem; color: #222; background: #fbfaf7; }
  code, pre { font: 14px/1.5 ui-monospace, Menlo, Consolas, monospace; background: #f0ede6; border-radius: 6px; }
  pre { padding: 0.9rem 1rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
  code { padding: 0.1rem 0.3rem; }
  /* Hostile on purpose: none of this reaches the widget, which lives in a shadow root. */
  button { background: #ff00aa; color: #ff0; border: 3px dashed #000; font-family: 'Comic Sans MS', cursive; }
  div, section, textarea { outline: 2px dotted #c00; }
</style>
</head>
<body>
<h1>Threadline widget demo</h1>
<p>This page embeds the chat widget with one tag. Open it with the button in the bottom right corner,
ask something, refresh the page: the conversation comes back. Type <code>help</code> for the commands,
press <kbd>Ctrl</kbd>/<kbd>Cmd</kbd>+<kbd>K</kbd> in the chat to start over.</p>
<pre>${escapeHtml(tag)}</pre>
<p>Options are data-attributes: <code>data-title</code>, <code>data-greeting</code>,
<code>data-storage="session|local"</code> (session: a new tab starts fresh; local: survives closing the tab),
<code>data-clear-on-close="true"</code>, <code>data-voice="false"</code>, <code>data-position="left"</code>,
<code>data-accent="#0a7d5a"</code>. Pages on other sites need their origin in <code>WIDGET_ALLOWED_ORIGINS</code>.</p>
<p><button type="button">A host page button</button> (styled by this page; the widget's buttons are not).</p>
<script src="/widget.js" data-title="Threadline demo" data-greeting="Hi! I remember this conversation across refreshes. Ask me anything." async></script>
</body>
</html>
`;
}
