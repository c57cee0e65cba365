import type { Logger } from 'pino';

export interface Schedule {
  /** Runs the task now and then every interval; runs never overlap. */
  start(): void;
  /** Cancels the timer and waits for a running pass to finish. */
  stop(): Promise<void>;
  /** Runs one pass now (waits for a running one first). */
  runNow(): Promise<void>;
}

export function schedule(name: string, intervalSeconds: number, task: () => Promise<unknown>, logger: Logger): Schedule {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = true;

  const pass = (): Promise<void> => {
    running = running.then(async () => {
      try {
        const result = await task();
        logger.debug({ task: name, result }, 'scheduled pass done');
      } catch (error) {
        logger.error({ err: error, task: name }, 'scheduled pass failed; will retry at the next interval');
      }
    });
    return running;
  };

  const tick = () => {
    void pass().then(() => {
      if (!stopped) timer = setTimeout(tick, intervalSeconds * 1000).unref();
    });
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    runNow: pass,
  };
}
