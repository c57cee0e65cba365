import { badInput } from '../../errors.js';
import type { DownloadLink } from '../../uploads/upload-service.js';
import { builder } from '../builder.js';

export const DEFAULT_LINK_SECONDS = 900;
/** Links are short-lived bearer secrets: 12 hours at most (SigV4 would allow seven days). */
export const MAX_LINK_SECONDS = 12 * 3600;

const DownloadLinkRef = builder.objectRef<DownloadLink>('DownloadLink').implement({
  fields: (t) => ({
    url: t.exposeString('url'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

builder.mutationField('createDownloadLink', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: DownloadLinkRef,
    description: 'A presigned GET on the vault copy; AVAILABLE files only.',
    args: {
      fileId: t.arg.id({ required: true }),
      expiresIn: t.arg.int({ defaultValue: DEFAULT_LINK_SECONDS, description: `Seconds, 60..${MAX_LINK_SECONDS}.` }),
    },
    resolve: (_root, { fileId, expiresIn }, { caller, services }) => {
      const seconds = expiresIn ?? DEFAULT_LINK_SECONDS;
      // The minimum is a setting only so tests can watch a link expire.
      const min = services.config.api.downloadLinkMinSeconds;
      if (seconds < min || seconds > MAX_LINK_SECONDS) throw badInput('expiresIn', `must be between ${min} and ${MAX_LINK_SECONDS} seconds`);
      return services.uploads.createDownloadLink(caller, String(fileId), seconds);
    },
  }),
);
