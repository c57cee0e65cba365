import type { Command } from 'commander';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { lfsCode, onInterrupt } from './runtime.js';
import { eventLine } from './format.js';

interface EventsFlags extends ConnectionFlags {
  json?: boolean;
}

export function registerEvents(program: Command): void {
  withConnection(program.command('events'))
    .summary("follow one file's events, or all of yours, live")
    .description(
      "Follows events live over graphql-ws. With a file: its events until it ends (its final state at once when it has ended already). Without: every event of your files until Ctrl-C.",
    )
    .argument('[id]', 'the file (default: all of yours)')
    .option('--json', 'one JSON line per event')
    .action(async (id: string | undefined, flags: EventsFlags) => {
      const controller = new AbortController();
      const restore = onInterrupt(() => controller.abort());
      try {
        await withClient(flags, async ({ lfs }) => {
          // A subscription to all files retries a lost server forever; ask once first, so a wrong URL or token fails now.
          if (id === undefined) await lfs.files({ first: 1 });
          try {
            for await (const event of lfs.events(id, controller.signal)) {
              process.stdout.write(flags.json ? `${JSON.stringify(event)}\n` : `${eventLine(event)}\n`);
            }
          } catch (error) {
            // Ctrl-C ends following: that is how it is meant to end.
            if (!(controller.signal.aborted && lfsCode(error) === 'ABORTED')) throw error;
          }
        });
      } finally {
        restore();
      }
    });
}
