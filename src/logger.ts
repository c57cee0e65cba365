import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; credentials and tokens are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'lfs' },
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'secretAccessKey',
        '*.secretAccessKey',
        'sessionToken',
        '*.sessionToken',
        'token',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}
