/**
 * How a command meets its process: settings in from the environment,
 * Ctrl-C, the exit code and the one line a failure prints.
 */
import { InvalidArgumentError } from 'commander';
import type { LfsErrorCode } from 'large-file-service/client';
import type { Config } from '../config.js';

/**
 * How `lfs` ends: 0 done, 1 a failure (the server, the network, a file that
 * did not end AVAILABLE), 2 a usage error (the command's usage is printed),
 * 130 stopped by Ctrl-C (as shells report SIGINT).
 */
export const exitCodes = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** A failure the user can act on: printed as its message alone, exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** A flag or argument the command cannot use: exit 2 with the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * fetch hides why it failed behind "fetch failed": the socket error's code
 * (ECONNREFUSED…), else the innermost cause's message, tells it.
 */
function causeOf(error: unknown): string | undefined {
  let innermost: string | undefined;
  for (let cause = (error as { cause?: unknown }).cause, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    if (cause instanceof Error && cause.message) innermost = cause.message;
  }
  return innermost;
}

/** One line for stderr: the message (and a socket error's code), never a stack; the stack and causes with --debug. */
export function describeFailure(error: unknown, debug: boolean): string {
  if (debug) {
    const lines: string[] = [];
    for (let cause = error, depth = 0; cause !== undefined && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
      lines.push(`${depth ? 'caused by: ' : ''}${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    }
    return lines.join('\n');
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause = causeOf(error);
  const line = cause && !message.includes(cause) ? `${message} (${cause})` : message;
  return line.replace(/\s*\n\s*/g, '; ');
}

/** commander argument parser: a whole number in [min, max]. */
export function integerIn(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return value;
  };
}

/**
 * The client's code for this failure, if it is the client's. By name, not
 * instanceof: the client (and the AWS SDK under it) is loaded only by the
 * commands that talk to LFS.
 */
export const lfsCode = (error: unknown): LfsErrorCode | undefined => ((error as Error | undefined)?.name === 'LfsError' ? (error as { code: LfsErrorCode }).code : undefined);

/**
 * The one place the commands read settings from the environment; a bad
 * LFS_* variable is a usage error. Loaded when asked: the schema of every
 * setting would slow down `--help` and the commands that need none.
 */
export async function settings(): Promise<Config> {
  const { ConfigError, loadConfig } = await import('../config.js');
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Ctrl-C (or SIGTERM) asks the command to stop cleanly once (an upload keeps
 * its state for --resume, a download removes its partial file); a second
 * one exits at once. Returns the function that puts the default back.
 */
export function onInterrupt(stop: () => void): () => void {
  let asked = false;
  const handler = () => {
    if (asked) process.exit(exitCodes.interrupted);
    asked = true;
    stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
