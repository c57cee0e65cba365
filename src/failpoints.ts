/**
 * Named places where a crash test makes the process die abruptly, to prove
 * that recovery loses nothing: `LFS_FAILPOINT=promotion.after-copy` kills the
 * process with SIGKILL (no cleanup, no flushing) the first time it gets there.
 * Without the setting every failpoint is a no-op.
 */
export const failpointNames = [
  'promotion.before-copy',
  'promotion.mid-copy',
  'promotion.after-copy',
  'promotion.after-commit',
] as const;

export type FailpointName = (typeof failpointNames)[number];

export type Failpoint = (name: FailpointName) => void;

export function createFailpoint(armed: FailpointName | undefined): Failpoint {
  if (!armed) return () => {};
  return (name) => {
    if (name === armed) process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * The in-process counterpart, for tests that must act at an exact step
 * rather than die there (e.g. replace the dock object between its check and
 * its copy, as its owner could): awaited at the promotion's failpoints with
 * the file concerned. Only tests pass one (`createApp(config, { stepHook })`).
 */
export type StepHook = (step: FailpointName, fileId: string) => void | Promise<void>;
