import type { Command } from 'commander';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { CliError } from './runtime.js';
import { fileDetails } from './format.js';

interface StatusFlags extends ConnectionFlags {
  json?: boolean;
}

export function registerStatus(program: Command): void {
  withConnection(program.command('status'))
    .summary("one file's status and details")
    .description("Prints one file's status and details (exit 1 when it does not exist or is not yours).")
    .argument('<id>', 'the file')
    .option('--json', 'the file as one JSON line')
    .action(async (id: string, flags: StatusFlags) => {
      await withClient(flags, async ({ lfs }) => {
        const file = await lfs.file(id);
        // LFS answers the same for a file of someone else's, so ids cannot be probed.
        if (!file) throw new CliError(`file ${id} not found`);
        process.stdout.write(flags.json ? `${JSON.stringify(file)}\n` : `${fileDetails(file)}\n`);
      });
    });
}
