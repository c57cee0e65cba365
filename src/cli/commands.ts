import type { Command } from 'commander';
import { registerCancel } from './cancel.js';
import { registerDownload } from './download.js';
import { registerEvents } from './events.js';
import { registerLocalAws } from './local-aws.js';
import { registerLs } from './ls.js';
import { registerMigrate } from './migrate.js';
import { registerProvision } from './provision.js';
import { registerServe } from './serve.js';
import { registerStatus } from './status.js';
import { registerToken } from './token.js';
import { registerUpload } from './upload.js';

/**
 * Every `lfs` command, in the order `lfs --help` lists them: running LFS
 * first, then using it. A command is one file with one register function;
 * adding one is that file and one line here.
 */
export const commands: ReadonlyArray<(program: Command) => void> = [
  registerServe,
  registerToken,
  registerMigrate,
  registerLocalAws,
  registerProvision,
  registerUpload,
  registerStatus,
  registerLs,
  registerDownload,
  registerCancel,
  registerEvents,
];
