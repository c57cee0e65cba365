import { Command, CommanderError } from 'commander';
import { commands } from './commands.js';
import { describeFailure, exitCodes, lfsCode, UsageError } from './runtime.js';

/**
 * The `lfs` program on commander: subcommands each with their own --help,
 * typed options, and exitOverride so that every ending goes through run(),
 * which picks the exit code.
 */
export function createProgram(): Command {
  const program = new Command('lfs')
    .description('Large File Service: run it, and upload, list, follow, download and cancel files from a terminal or a script.')
    .option('--debug', 'print the stack of a failure, not only its message')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    // Set before the commands are added: they inherit it. A usage error prints the command's usage under the message.
    .showHelpAfterError()
    .exitOverride();
  program.addHelpText('after', '\nSettings come from LFS_* environment variables (see the README). `lfs <command> --help` tells more.');
  for (const register of commands) register(program);
  return program;
}

/** A failure's line, with the fix for the most common one. */
function failureLine(error: unknown, debug: boolean): string {
  const line = describeFailure(error, debug);
  return lfsCode(error) === 'UNAUTHENTICATED' && !debug ? `${line} (give a valid token with --token or LFS_TOKEN)` : line;
}

/** Runs `lfs` with `argv` (without node and the script); resolves with the exit code. Long-running commands resolve once started. */
export async function run(argv: string[]): Promise<number> {
  const program = createProgram();
  const debug = argv.includes('--debug');
  if (argv.length === 0) {
    program.outputHelp();
    return exitCodes.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    // commander printed its message (and the usage) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    const name = commandOf(program, argv);
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n`);
      (name ?? program).outputHelp({ error: true });
      return exitCodes.usage;
    }
    process.stderr.write(`lfs${name ? ` ${name.name()}` : ''}: ${failureLine(error, debug)}\n`);
    return exitCodes.failure;
  }
}

/** The subcommand argv ran, for its usage and its name in messages. */
function commandOf(program: Command, argv: string[]): Command | undefined {
  const name = argv.find((arg) => !arg.startsWith('-'));
  return program.commands.find((command) => command.name() === name);
}
