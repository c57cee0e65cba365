import type { Command } from 'commander';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';

interface CancelFlags extends ConnectionFlags {
  json?: boolean;
}

export function registerCancel(program: Command): void {
  withConnection(program.command('cancel'))
    .summary('cancel an upload; nothing of it is kept')
    .description(
      'Cancels an upload that has not ended: its credentials stop working at once and what was sent is deleted. A file that is AVAILABLE already, or ended otherwise, cannot be cancelled (exit 1).',
    )
    .argument('<id>', 'the file')
    .option('--json', 'the cancelled file as one JSON line')
    .action(async (id: string, flags: CancelFlags) => {
      await withClient(flags, async ({ lfs }) => {
        const file = await lfs.cancel(id);
        process.stdout.write(flags.json ? `${JSON.stringify(file)}\n` : `${file.id}  ${file.status}  ${file.name}\n`);
      });
    });
}
