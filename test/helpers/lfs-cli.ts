import { runLfs as run, type CliRun } from './cli.js';

/** Runs `lfs <args>` to its end with only these LFS_* settings (the provisioning tests' shape of test/helpers/cli.ts's runLfs). */
export function runLfs(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return run(args, { env });
}
