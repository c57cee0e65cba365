import { pino, type Logger } from 'pino';
import { WAIT_TIMEOUT_MS } from './waits.js';
import { deferred, within } from './stack.js';

export type LogLine = Record<string, any> & { msg: string };

export interface RecordedLogs {
  /** A logger to give the app (`startStack(env, undefined, { logger })`). */
  logger: Logger;
  lines: LogLine[];
  /** Resolves with the first line, logged so far or from now on, that `match` accepts. */
  line(what: string, match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/** Keeps every line the app logs, so a test can wait for the one that says a thing happened. */
export function recordLogs(level = 'info'): RecordedLogs {
  const lines: LogLine[] = [];
  const waiting = new Set<(line: LogLine) => void>();
  const logger = pino(
    { level },
    {
      write(text: string) {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const notify of [...waiting]) notify(line);
      },
    },
  );
  return {
    logger,
    lines,
    line(what, match, timeoutMs = WAIT_TIMEOUT_MS) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      const found = deferred<LogLine>();
      const notify = (line: LogLine) => {
        if (match(line)) found.resolve(line);
      };
      waiting.add(notify);
      return within(found.promise, timeoutMs, `the log line: ${what}`).finally(() => waiting.delete(notify));
    },
  };
}
