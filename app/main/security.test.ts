import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  checkSender,
  contentSecurityPolicy,
  externalLinkTarget,
  isAppUrl,
  rendererRelativePath,
} from './security.ts';

describe('content security policy', () => {
  it('allows only the app’s own scripts, with no inline script or eval', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe('sender check', () => {
  it('accepts the app’s main frame', () => {
    expect(checkSender({ frameUrl: APP_ENTRY_URL, isMainFrame: true })).toEqual({ ok: true });
  });

  it.each([
    ['a foreign origin', 'https://evil.example/index.html'],
    ['a file URL', 'file:///tmp/index.html'],
    ['a look-alike host', 'app://openlines.evil/index.html'],
    ['a user-info trick', 'https://openlines@evil.example/'],
    ['garbage', 'not a url'],
  ])('refuses %s', (_name, frameUrl) => {
    expect(checkSender({ frameUrl, isMainFrame: true }).ok).toBe(false);
  });

  it('refuses a sub-frame even of the app’s origin', () => {
    expect(checkSender({ frameUrl: APP_ENTRY_URL, isMainFrame: false })).toEqual({
      ok: false,
      reason: 'the sender is a sub-frame',
    });
  });

  it('refuses a sender whose frame is gone', () => {
    expect(checkSender({ frameUrl: undefined, isMainFrame: true }).ok).toBe(false);
  });

  it('knows the app’s own pages', () => {
    expect(isAppUrl('app://openlines/assets/main.js')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
  });
});

describe('external links', () => {
  it('opens only https links in the system browser', () => {
    expect(externalLinkTarget('https://helpdesk.bitrix24.com/open/123')).toBe('https://helpdesk.bitrix24.com/open/123');
    expect(externalLinkTarget('http://example.com/')).toBeNull();
    expect(externalLinkTarget('javascript:alert(1)')).toBeNull();
    expect(externalLinkTarget('file:///etc/passwd')).toBeNull();
    expect(externalLinkTarget('https://user:pw@example.com/')).toBeNull();
    expect(externalLinkTarget('not a url')).toBeNull();
  });
});

describe('renderer paths', () => {
  it('maps request paths into the renderer folder and refuses to climb out', () => {
    expect(rendererRelativePath('/')).toBe('index.html');
    expect(rendererRelativePath('/assets/main.js')).toBe('assets/main.js');
    expect(rendererRelativePath('/../secret')).toBeNull();
    expect(rendererRelativePath('/assets/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(rendererRelativePath('/a%5c..%5cb')).toBeNull();
    expect(rendererRelativePath('/%zz')).toBeNull();
  });
});
