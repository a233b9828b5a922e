// pino settings: secrets never reach the logs.
export const redactPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-twitter-webhooks-signature"]',
  "*.oauthToken",
  "*.oauthTokenSecret",
  "*.accessToken",
  "*.accessSecret",
  "*.access_token",
  "*.password",
  "*.secret",
];

export function loggerOptions(level: string) {
  return { level, redact: { paths: redactPaths, censor: "[redacted]" } };
}
