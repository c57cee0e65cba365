import type { Command } from 'commander';
import { settings } from './runtime.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('serve LFS (what npm start runs)')
    .description(
      'Serves LFS: GraphQL, the upload page, the promotion worker, and the embedded AWS-compatible endpoint unless LFS_AWS_ENDPOINT names another. Settings come from LFS_* environment variables (see the README); it runs until SIGINT or SIGTERM.',
    )
    .action(async () => {
      const config = await settings();
      // Loaded on demand: the whole app (GraphQL, the AWS SDK) would add ~150 MiB to the other commands, which need none of it.
      await (await import('../main.js')).main(config);
    });
}
