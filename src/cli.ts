/**
 * The `lfs` command's entry (bin/lfs.js imports it): runs the program of
 * src/cli/ on this process's arguments and leaves the exit code to Node, so
 * output still being written is flushed and long-running commands (serve,
 * local-aws) keep running.
 */
import { run } from './cli/index.js';

process.exitCode = await run(process.argv.slice(2));
