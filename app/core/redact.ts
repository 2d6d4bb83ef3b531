// Secrets never leave the process in text: webhook codes, tokens and client secrets are masked in every string
// that may reach a log, an error message, a file or the screen.

const MASK = '***';

const PATTERNS: Array<[RegExp, string]> = [
  // Webhook path: /rest/<user>/<code>/ → keep the user id, drop the code.
  [/(\/rest\/\d+\/)[^/\s?#"'<>]+/gi, `$1${MASK}`],
  // auth=, access_token=, refresh_token=, client_secret=, code= in query strings and form bodies.
  [/\b(auth|access_token|refresh_token|client_secret|code)=([^&\s"'<>]+)/gi, `$1=${MASK}`],
  // The same names as JSON keys.
  [
    /("(?:auth|access_token|accessToken|refresh_token|refreshToken|client_secret|clientSecret|webhookUrl|secret)"\s*:\s*)"[^"]*"/gi,
    `$1"${MASK}"`,
  ],
  // Bearer tokens in headers.
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${MASK}`],
];

/** Masks every secret-shaped part of a string. Known secret values are masked wherever they appear. */
export function redact(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 4) out = out.split(secret).join(MASK);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
