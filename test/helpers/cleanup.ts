import { afterEach } from 'vitest';

/**
 * Registers an afterEach that undoes, newest first, whatever a test pushed:
 * processes to kill, folders to remove, clients to close.
 */
export function cleanupAfterEach(): (step: () => Promise<unknown>) => void {
  const steps: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  return (step) => void steps.push(step);
}
