import { checksumAlgorithms, fileStatuses, canSee, type Checksum, type FileRecord } from '../../files/model.js';
import { builder } from '../builder.js';

export const FileStatusEnum = builder.enumType('FileStatus', { values: fileStatuses });
export const ChecksumAlgorithmEnum = builder.enumType('ChecksumAlgorithm', { values: checksumAlgorithms });

export const ChecksumRef = builder.objectRef<Checksum>('Checksum').implement({
  description: 'A whole-file checksum as declared; verified at promotion.',
  fields: (t) => ({
    algorithm: t.field({ type: ChecksumAlgorithmEnum, resolve: (checksum) => checksum.algorithm }),
    value: t.exposeString('value', { description: 'Base64, as S3 sends it.' }),
  }),
});

export const FileRef = builder.objectRef<FileRecord>('File').implement({
  // Every File that leaves the API, through any field or event, passes the
  // ownership check once, on top of the checks where it was loaded.
  runScopesOnType: true,
  authScopes: (file) => ({ fileVisible: file }),
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    size: t.expose('size', { type: 'SafeInt', description: 'Declared at requestUpload, verified at promotion.' }),
    contentType: t.exposeString('contentType'),
    metadata: t.expose('metadata', { type: 'JSONObject' }),
    status: t.field({ type: FileStatusEnum, resolve: (file) => file.status }),
    owner: t.exposeString('owner'),
    checksum: t.field({ type: ChecksumRef, nullable: true, resolve: (file) => file.checksum }),
    failureReason: t.exposeString('failureReason', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    uploadedAt: t.expose('uploadedAt', { type: 'DateTime', nullable: true, description: 'When the dock object was completed.' }),
    availableAt: t.expose('availableAt', { type: 'DateTime', nullable: true }),
    promotionProgress: t.float({
      nullable: true,
      description: 'Share of the vault copy done (0..1) while PROMOTING, 1 once AVAILABLE, null otherwise.',
      resolve: (file) => (file.status === 'AVAILABLE' ? 1 : file.status === 'PROMOTING' ? Math.min(1, file.promotedBytes / file.size) : null),
    }),
  }),
});

builder.queryField('file', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: FileRef,
    nullable: true,
    description: "Null when absent or not the caller's, so ids cannot be probed.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { caller, services }) => {
      const file = await services.uploads.getFile(caller, String(id));
      return file && canSee(caller, file) ? file : null;
    },
  }),
);
