// The exit codes issue #5 promises, per error the commands meet: read from the one category table.
import { describe, expect, it } from 'vitest';
import { Bitrix24Error } from '../../core/bitrix24/errors.ts';
import { KeychainUnavailableError } from '../../core/keychain/keychain.ts';
import { SecretUnreadableError } from '../../core/keychain/profile-secrets.ts';
import { ProfileError, ProfileValidationError, SecretMissingError } from '../../core/profiles/errors.ts';
import {
  JournalError,
  RunBusyError,
  RunInputError,
  RunNotFoundError,
  RunPortalMismatchError,
  RunStateError,
} from '../../core/runs/index.ts';
import { UsageError } from '../command.ts';
import { exitCodeOf, runStopExitCode } from './exit-codes.ts';

describe('exitCodeOf', () => {
  it('is 2 for what the command line, a file or a name got wrong', () => {
    expect(exitCodeOf(new UsageError('--mode must be start or restart'))).toBe(2);
    expect(exitCodeOf(new ProfileValidationError([{ field: 'portal', reason: 'uses plain http' }]))).toBe(2);
    expect(exitCodeOf(new ProfileError('PROFILE_NOT_FOUND', 'No profile is called "x".'))).toBe(2);
    expect(exitCodeOf(new ProfileError('PROFILE_EXISTS', 'exists'))).toBe(2);
    expect(exitCodeOf(new ProfileError('PROVISIONING_FILE_INVALID', 'invalid'))).toBe(2);
    expect(exitCodeOf(new RunNotFoundError('nope'))).toBe(2);
    expect(exitCodeOf(new RunStateError('Bulk run x has already finished.'))).toBe(2);
    expect(exitCodeOf(new RunBusyError('x', 42))).toBe(2);
    expect(exitCodeOf(new RunInputError('There are no chats to run.'))).toBe(2);
  });

  it('is 3 for configuration, credentials and the keychain, and for anything unexpected', () => {
    expect(exitCodeOf(new ProfileError('NO_PROFILE', 'No profile yet.'))).toBe(3);
    expect(exitCodeOf(new SecretMissingError('main', 'Main'))).toBe(3);
    expect(exitCodeOf(new SecretUnreadableError('main'))).toBe(3);
    expect(exitCodeOf(new ProfileError('PROFILES_FILE_UNREADABLE', 'unreadable'))).toBe(3);
    expect(exitCodeOf(new KeychainUnavailableError('save', 'locked', 'linux'))).toBe(3);
    expect(exitCodeOf(new RunPortalMismatchError('The run belongs to another portal.'))).toBe(3);
    expect(exitCodeOf(new JournalError('damaged at line 2'))).toBe(3);
    expect(exitCodeOf(new Error('EACCES'))).toBe(3);
    expect(exitCodeOf('a string')).toBe(3);
  });

  it('never gives a portal answer the usage code: bad input from the portal is configuration', () => {
    expect(exitCodeOf(new Bitrix24Error({ code: 'INSECURE_PORTAL_ADDRESS' }))).toBe(3);
    expect(exitCodeOf(new Bitrix24Error({ code: 'SOMETHING_NEW', status: 400 }))).toBe(3);
    expect(exitCodeOf(new Bitrix24Error({ code: 'NO_AUTH_FOUND', status: 401 }))).toBe(3);
    expect(exitCodeOf(new Bitrix24Error({ code: 'INSUFFICIENT_SCOPE' }))).toBe(3);
    expect(exitCodeOf(new Bitrix24Error({ code: 'REQUEST_TIMEOUT' }))).toBe(3);
  });

  it('is 4 when the portal is blocked or cannot be reached', () => {
    expect(exitCodeOf(new Bitrix24Error({ code: 'OVERLOAD_LIMIT' }))).toBe(4);
    expect(exitCodeOf(new Bitrix24Error({ code: 'PORTAL_UNREACHABLE' }))).toBe(4);
    expect(exitCodeOf(new Bitrix24Error({ code: 'TLS_FAILURE' }))).toBe(4);
  });
});

describe('runStopExitCode', () => {
  it('is 3 when credentials, rights or input must be fixed before resuming, else 4', () => {
    for (const code of ['NO_AUTH_FOUND', 'INVALID_CREDENTIALS', 'INSUFFICIENT_SCOPE', 'ACCESS_DENIED', 'CHAT_ID']) {
      expect(runStopExitCode(code), code).toBe(3);
    }
    for (const code of ['OVERLOAD_LIMIT', 'PORTAL_UNREACHABLE', 'QUERY_LIMIT_EXCEEDED', 'RESPONSE_TOO_LARGE']) {
      expect(runStopExitCode(code), code).toBe(4);
    }
  });
});
