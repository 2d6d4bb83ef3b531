// OAuth tokens for one portal. The access token is refreshed only after the portal said `expired_token`, and
// every caller that saw that answer waits for the same single refresh: refresh tokens rotate, so a second
// refresh with the old one would fail and log the user out.
import { z } from 'zod';
import { redact } from '../redact.ts';
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';
import { type HttpTransport, NotSentError } from './http-transport.ts';
import { parseTokenUrl } from './portal-address.ts';
import type { OAuthCredentials, OAuthTokens } from './types.ts';

export const DEFAULT_TOKEN_URL = 'https://oauth.bitrix.info/oauth/token/';

const tokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().optional(),
  expires: z.coerce.number().optional(),
});

const tokenError = z.looseObject({ error: z.string().min(1), error_description: z.unknown().optional() });

export interface OAuthSessionOptions {
  credentials: OAuthCredentials;
  transport: HttpTransport;
  timeoutMs: number;
  now: () => number;
  onTokensRotated?: (tokens: OAuthTokens) => void | Promise<void>;
  log: (line: string) => void;
}

export class OAuthSession {
  private tokens: OAuthTokens;
  private readonly tokenUrl: URL;
  private refreshing: Promise<void> | null = null;
  /** Every token this session has held: masked in all text even after rotation. */
  private readonly retired: string[] = [];

  constructor(private readonly options: OAuthSessionOptions) {
    this.tokens = { ...options.credentials.tokens };
    this.tokenUrl = parseTokenUrl(options.credentials.tokenUrl ?? DEFAULT_TOKEN_URL);
  }

  accessToken(): string {
    return this.tokens.accessToken;
  }

  secrets(): string[] {
    return [this.tokens.accessToken, this.tokens.refreshToken, this.options.credentials.clientSecret, ...this.retired];
  }

  /**
   * The portal answered `expired_token` to a call made with `usedToken`. Refreshes once for everyone: callers
   * that arrive while a refresh runs wait for it, and callers whose token was already replaced just retry.
   */
  async refreshAfterExpiry(usedToken: string): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (this.tokens.accessToken !== usedToken) return;
    this.refreshing = this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<void> {
    const { credentials } = this.options;
    const url = new URL(this.tokenUrl);
    url.searchParams.set('grant_type', 'refresh_token');
    url.searchParams.set('client_id', credentials.clientId);
    url.searchParams.set('client_secret', credentials.clientSecret);
    url.searchParams.set('refresh_token', this.tokens.refreshToken);
    this.options.log(`oauth: refreshing the access token at ${url.host}`);
    let response: Awaited<ReturnType<HttpTransport['request']>>;
    try {
      response = await this.options.transport.request({ url, method: 'GET', timeoutMs: this.options.timeoutMs });
    } catch (error) {
      if (error instanceof NotSentError) {
        throw new Bitrix24Error({
          code: CLIENT_CODES.unreachable,
          message: `The OAuth server ${url.host} cannot be reached to refresh the access token.`,
        });
      }
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      throw new Bitrix24Error({
        code: CLIENT_CODES.invalidResponse,
        status: response.status,
        message: `The OAuth server ${url.host} answered the token refresh with something that is not JSON (HTTP ${response.status}).`,
      });
    }
    const ok = tokenAnswer.safeParse(json);
    if (!ok.success) {
      const failure = tokenError.safeParse(json);
      const code = failure.success ? failure.data.error : CLIENT_CODES.invalidResponse;
      const description = failure.success ? failure.data.error_description : undefined;
      this.options.log(`oauth: refresh refused (${code}, HTTP ${response.status})`);
      throw new Bitrix24Error({
        code,
        status: response.status,
        ...(typeof description === 'string' ? { description: redact(description, this.secrets()) } : {}),
        // Whatever the server said, the user's way out is to sign in again.
        ...(failure.success && code.toUpperCase() !== 'INVALID_GRANT' && code.toUpperCase() !== 'INVALID_CLIENT'
          ? { message: `The access token could not be refreshed (${code}). Sign in to the portal again.` }
          : {}),
      });
    }
    const expiresIn = ok.data.expires_in;
    const next: OAuthTokens = {
      accessToken: ok.data.access_token,
      refreshToken: ok.data.refresh_token,
      ...(expiresIn !== undefined
        ? { expiresAt: this.options.now() + expiresIn * 1000 }
        : ok.data.expires !== undefined
          ? { expiresAt: ok.data.expires * 1000 }
          : {}),
    };
    this.retired.push(this.tokens.accessToken, this.tokens.refreshToken);
    this.tokens = next;
    this.options.log('oauth: access token refreshed');
    try {
      await this.options.onTokensRotated?.({ ...next });
    } catch (error) {
      // The new pair is already live (the old refresh token is dead): keep using it even if storing failed.
      const message = error instanceof Error ? error.message : String(error);
      this.options.log(`oauth: storing the rotated tokens failed: ${redact(message, this.secrets())}`);
    }
  }
}
