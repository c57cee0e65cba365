import { Option, type Command } from 'commander';
import type { FileStatus, LfsFile } from 'large-file-service/client';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { integerIn } from './runtime.js';
import { fileTable } from './format.js';

interface ListFlags extends ConnectionFlags {
  status?: FileStatus;
  limit: number;
  json?: boolean;
}

const statuses: FileStatus[] = ['AWAITING_UPLOAD', 'PROMOTING', 'AVAILABLE', 'FAILED', 'CANCELLED', 'EXPIRED'];
/** LFS's largest page. */
const PAGE = 100;

export function registerLs(program: Command): void {
  withConnection(program.command('ls'))
    .summary('list your files, newest first')
    .description('Lists your files, newest first.')
    .addOption(new Option('--status <status>', 'only files in this status').choices(statuses))
    .option('--limit <n>', 'at most this many', integerIn(1, 100_000), 50)
    .option('--json', 'one JSON line per file')
    .action(async (flags: ListFlags) => {
      await withClient(flags, async ({ lfs }) => {
        const files: LfsFile[] = [];
        for (let after: string | undefined; files.length < flags.limit; ) {
          const page = await lfs.files({ status: flags.status, first: Math.min(PAGE, flags.limit - files.length), after });
          files.push(...page.files);
          if (!page.next) break;
          after = page.next;
        }
        if (flags.json) process.stdout.write(files.map((file) => `${JSON.stringify(file)}\n`).join(''));
        else process.stdout.write(files.length ? `${fileTable(files)}\n` : `no files${flags.status ? ` ${flags.status}` : ''}\n`);
      });
    });
}
