/**
 * Model answers are Markdown. WhatsApp has its own light markup (*bold*, _italic_,
 * ```code```); Messenger shows text as it is. Both get headings and bold in their own
 * terms and links as `label (url)`; code spans and fences are left alone.
 */
export function markdownFor(platform: 'messenger' | 'whatsapp', markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : convertProse(platform, part)))
    .join('');
}

function convertProse(platform: 'messenger' | 'whatsapp', text: string): string {
  const strong = platform === 'whatsapp' ? '*$1*' : '$1';
  return text
    .replace(/\*\*(?=\S)([^\n]+?)(?<=\S)\*\*/g, strong)
    .replace(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm, strong)
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, (_, label: string, url: string) => (label === url ? url : `${label} (${url})`));
}
