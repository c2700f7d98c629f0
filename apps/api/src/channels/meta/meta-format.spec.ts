import { markdownFor } from './meta-format.js';
import { unsupportedNotice } from './meta-inbound.js';

describe('answers on Messenger and WhatsApp', () => {
  const answer = '## Steps\n**Install** it, see [the guide](https://x.dev/guide).\n`**literal**`';

  it('uses WhatsApp markup for bold and headings', () => {
    expect(markdownFor('whatsapp', answer)).toBe('*Steps*\n*Install* it, see the guide (https://x.dev/guide).\n`**literal**`');
  });

  it('shows plain text on Messenger', () => {
    expect(markdownFor('messenger', answer)).toBe('Steps\nInstall it, see the guide (https://x.dev/guide).\n`**literal**`');
  });

  it('names what cannot be read', () => {
    expect(unsupportedNotice('image')).toBe("Sorry, I can only read text messages, so I can't open images. Could you tell me in words what you need?");
    expect(unsupportedNotice('hologram')).toContain("can't open that kind of message");
  });
});
