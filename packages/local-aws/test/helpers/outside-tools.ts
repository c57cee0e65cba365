/** A program a suite drives from outside: the AWS CLI, Chromium. */
export interface OutsideTool {
  /** What the suite calls it, e.g. "the AWS CLI". */
  name: string;
  /** Where it was found; undefined when it was not. */
  path: string | undefined;
  /** The Debian package that installs it (.ci/run installs it). */
  debianPackage: string;
  /** The environment variable that names another binary, when there is one. */
  variable?: string;
}

/** Whether this runs in CI: CI=true (or 1), as CI sets it. */
export const inCi = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI !== undefined && !['', '0', 'false'].includes(env.CI.toLowerCase());

/**
 * Whether a suite that needs `tool` runs: true when it is there. When it is
 * missing, CI must not pass by skipping the suite: in CI this throws, naming
 * what to install, so the suite's file fails; elsewhere it prints a notice
 * and returns false, and the suite skips (`describe.skipIf(!needs(tool))`).
 */
export function needs(tool: OutsideTool, env: NodeJS.ProcessEnv = process.env, notice: (message: string) => void = console.warn): boolean {
  if (tool.path) return true;
  const install = `apt-get install ${tool.debianPackage}${tool.variable ? ` (or name one in ${tool.variable})` : ''}`;
  if (inCi(env)) throw new Error(`${tool.name} is missing, and in CI (CI=${env.CI}) its suite fails rather than skips: ${install}`);
  notice(`skipping the suite of ${tool.name}: it is missing (${install}); in CI (CI=true) the suite fails instead`);
  return false;
}
