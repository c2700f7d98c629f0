/**
 * Model answers are Markdown; Slack's `text` is mrkdwn. Escapes the three characters
 * Slack reserves and converts what reads differently (bold, italics, headings, links),
 * leaving code spans and fenced blocks as they are.
 */
export function markdownToSlack(markdown: string): string {
  const escaped = markdown.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return escaped
    .split(/(```[\s\S]*?```|`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : convertProse(part)))
    .join('');
}

function convertProse(text: string): string {
  return text
    .replace(/(?<!\*)\*(?!\*)(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)/g, '_$1_')
    .replace(/\*\*(?=\S)([^\n]+?)(?<=\S)\*\*/g, '*$1*')
    .replace(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm, '*$1*')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, '<$2|$1>');
}
