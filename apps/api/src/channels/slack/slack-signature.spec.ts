import { slackSignature, verifySlackSignature } from './slack-signature.js';

// The worked example from Slack's "Verifying requests from Slack" guide.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('Slack request signatures (v0)', () => {
  const now = Number(DOC_TIMESTAMP);
  const request = (overrides: Partial<{ body: string; timestamp: string | undefined; signature: string | undefined }> = {}) => ({
    rawBody: Buffer.from(overrides.body ?? DOC_BODY, 'utf8'),
    timestamp: 'timestamp' in overrides ? overrides.timestamp : DOC_TIMESTAMP,
    signature: 'signature' in overrides ? overrides.signature : DOC_SIGNATURE,
  });

  it("matches Slack's documented example", () => {
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
    expect(verifySlackSignature(request(), DOC_SECRET, now)).toBe('ok');
  });

  it('refuses another secret, a changed body or a changed timestamp', () => {
    expect(verifySlackSignature(request(), 'another-secret', now)).toBe('mismatch');
    expect(verifySlackSignature(request({ body: `${DOC_BODY}x` }), DOC_SECRET, now)).toBe('mismatch');
    expect(verifySlackSignature(request({ timestamp: String(now + 1) }), DOC_SECRET, now)).toBe('mismatch');
    expect(verifySlackSignature(request({ signature: DOC_SIGNATURE.toUpperCase() }), DOC_SECRET, now)).toBe('mismatch');
    expect(verifySlackSignature(request({ signature: 'v0=abc' }), DOC_SECRET, now)).toBe('mismatch');
  });

  it('verifies the exact bytes, not a re-serialisation', () => {
    const body = '{"type":"event_callback", "event":{"text":"caf\u00e9"}}';
    const signature = slackSignature('s3cret', DOC_TIMESTAMP, Buffer.from(body, 'utf8'));
    expect(verifySlackSignature({ rawBody: Buffer.from(body, 'utf8'), timestamp: DOC_TIMESTAMP, signature }, 's3cret', now)).toBe('ok');
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(verifySlackSignature({ rawBody: Buffer.from(reserialised, 'utf8'), timestamp: DOC_TIMESTAMP, signature }, 's3cret', now)).toBe('mismatch');
  });

  it('accepts timestamps within 5 minutes either way and refuses older or newer ones', () => {
    expect(verifySlackSignature(request(), DOC_SECRET, now + 300)).toBe('ok');
    expect(verifySlackSignature(request(), DOC_SECRET, now - 300)).toBe('ok');
    expect(verifySlackSignature(request(), DOC_SECRET, now + 301)).toBe('stale');
    expect(verifySlackSignature(request(), DOC_SECRET, now - 301)).toBe('stale');
    expect(verifySlackSignature(request({ timestamp: '1531420618.5' }), DOC_SECRET, now)).toBe('stale');
    expect(verifySlackSignature(request({ timestamp: 'soon' }), DOC_SECRET, now)).toBe('stale');
  });

  it('says when a header is missing', () => {
    expect(verifySlackSignature(request({ signature: undefined }), DOC_SECRET, now)).toBe('missing');
    expect(verifySlackSignature(request({ timestamp: undefined }), DOC_SECRET, now)).toBe('missing');
    expect(verifySlackSignature(request({ signature: '' }), DOC_SECRET, now)).toBe('missing');
  });
});
