import { describe, expect, it } from 'vitest';
import { ERROR_CATEGORIES } from './envelope.ts';
import {
  chatErrorText,
  errorText,
  KNOWN_CLIENT_CODES,
  KNOWN_PORTAL_CODES,
  retryMaySucceed,
  stopsForAuthorization,
  stopsThePortal,
} from './errors.ts';

describe('the message table', () => {
  it('gives every known code a category and a sentence, found in any case', () => {
    for (const code of [...KNOWN_PORTAL_CODES, ...KNOWN_CLIENT_CODES]) {
      const text = errorText(code.toLowerCase());
      expect(text, code).toBeDefined();
      expect(ERROR_CATEGORIES).toContain(text!.category);
      expect(text!.message).toMatch(/^[A-Z].*\.$/);
    }
    expect(errorText('SOMETHING_NOBODY_DOCUMENTED')).toBeUndefined();
  });

  it('words a failure on one chat with the chat id where the code is about that chat', () => {
    expect(chatErrorText('CHAT_ID', 42)).toBe(
      'Chat 42 does not exist on the portal. Check the chat ID; the chat may have been deleted.',
    );
    expect(chatErrorText('chat_type', 7)).toContain('Chat 7 is not an open-line chat');
    expect(chatErrorText('QUERY_LIMIT_EXCEEDED', 7)).toBeUndefined();
  });

  it('tells a portal block from a stop for authorization from a failure of one chat', () => {
    for (const code of ['OVERLOAD_LIMIT', 'PORTAL_DELETED', 'PAYMENT_REQUIRED', 'IM_NOT_INSTALLED']) {
      expect(stopsThePortal(code), code).toBe(true);
      expect(stopsForAuthorization(code), code).toBe(false);
    }
    for (const code of [
      'INVALID_CREDENTIALS',
      'EXPIRED_TOKEN',
      'USER_ID',
      'INSUFFICIENT_SCOPE',
      'TARIFF_RESTRICTION',
    ]) {
      expect(stopsForAuthorization(code), code).toBe(true);
    }
    for (const code of ['SECRET_MISSING', 'KEYCHAIN_UNAVAILABLE']) expect(stopsForAuthorization(code), code).toBe(true);
    // No access to one dialog fails that chat only; the run goes on.
    for (const code of ['ACCESS_DENIED', 'CHAT_ID', 'OPERATION_TIME_LIMIT', 'RUN_FAILED']) {
      expect(stopsThePortal(code) || stopsForAuthorization(code), code).toBe(false);
    }
  });
});

describe('retryMaySucceed', () => {
  it('holds back what the portal refused for the chat itself, and lets passing conditions and unknown codes retry', () => {
    for (const code of ['CHAT_ID', 'CHAT_TYPE', 'ACCESS_DENIED', 'ACCESS_ERROR', 'chat_type']) {
      expect(retryMaySucceed(code)).toBe(false);
    }
    for (const code of [null, 'QUERY_LIMIT_EXCEEDED', 'INTERNAL_SERVER_ERROR', 'UNCONFIRMED', 'SOMETHING_NEW']) {
      expect(retryMaySucceed(code)).toBe(true);
    }
  });
});
