import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, uploadRoleArnOf } from '../../src/config.js';

describe('loadConfig', () => {
  it('has working defaults for the embedded mode', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.aws.local).toBe(true);
    expect(config.aws.localPort).toBe(4566);
    expect(config.uploads.maxFileSize).toBe(5 * 1024 ** 4);
    expect(config.storage.uploadRoleArn).toBeUndefined();
    expect(uploadRoleArnOf(config, '000000000000')).toBe('arn:aws:iam::000000000000:role/lfs-upload');
    expect(Object.isFrozen(config.storage)).toBe(true);
  });

  it.each([
    ['the embedded endpoint with the generated secret', {}, true, true],
    ['a configured secret', { LFS_AUTH_SECRET: 'a-configured-secret-of-enough-length-0123' }, false, false],
    ['a JWKS', { LFS_AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json' }, false, false],
    ['another endpoint', { LFS_AWS_ENDPOINT: 'http://127.0.0.1:9000' }, false, true],
    ['AWS', { LFS_LOCAL_AWS: 'false' }, false, true],
  ])('with %s: development (GraphiQL on by default) %s, a generated secret (a token in the banner) %s', (_, env, development, generatedSecret) => {
    const config = loadConfig(env);
    expect(config.development).toBe(development);
    expect(config.graphiql).toBe(development);
    expect(config.auth.generatedSecret).toBe(generatedSecret);
  });

  it('serves GraphiQL when LFS_GRAPHIQL says so, whatever the mode', () => {
    expect(loadConfig({ LFS_GRAPHIQL: 'false' })).toMatchObject({ development: true, graphiql: false });
    expect(loadConfig({ LFS_GRAPHIQL: 'true', LFS_LOCAL_AWS: 'false' })).toMatchObject({ development: false, graphiql: true });
  });

  it('uses an external endpoint instead of the embedded one when given', () => {
    const config = loadConfig({ LFS_AWS_ENDPOINT: 'http://127.0.0.1:9000' });
    expect(config.aws.local).toBe(false);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ LFS_PORT: 'eighty', LFS_MAX_FILE_SIZE: '-1', LFS_DOCK_BUCKET: 'Bad_Bucket', LFS_AWS_ACCESS_KEY_ID: 'AKIA' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('LFS_PORT');
    expect(problems).toContain('LFS_MAX_FILE_SIZE');
    expect(problems).toContain('LFS_DOCK_BUCKET');
    // A rule between two valid settings is reported in the same pass as the bad values.
    expect(problems).toContain('LFS_AWS_ACCESS_KEY_ID and LFS_AWS_SECRET_ACCESS_KEY must be set together');
  });

  it('checks a rule between settings only when those settings are valid themselves', () => {
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problemsOf({ LFS_DOCK_BUCKET: 'same-name', LFS_VAULT_BUCKET: 'same-name', LFS_UPLOAD_DEADLINE_SECONDS: 'soon' })).toEqual([
      expect.stringMatching(/^LFS_UPLOAD_DEADLINE_SECONDS: /),
      'LFS_DOCK_BUCKET and LFS_VAULT_BUCKET must differ',
    ]);
  });

  it("reads LFS's temporary credentials with their session token, which needs the key", () => {
    const config = loadConfig({ LFS_AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', LFS_AWS_SECRET_ACCESS_KEY: 'secret', LFS_AWS_SESSION_TOKEN: 'token' });
    expect(config.aws.credentials).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
    expect(loadConfig({ LFS_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', LFS_AWS_SECRET_ACCESS_KEY: 'secret' }).aws.credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
    expect(() => loadConfig({ LFS_AWS_SESSION_TOKEN: 'token' })).toThrow(/LFS_AWS_SESSION_TOKEN needs LFS_AWS_ACCESS_KEY_ID and LFS_AWS_SECRET_ACCESS_KEY/);
    // Unset, the account comes from STS at start.
    expect(loadConfig({}).aws.accountId).toBeUndefined();
  });

  it('reads the root credentials of `lfs local-aws`, both or neither', () => {
    expect(loadConfig({}).aws.localRootCredentials).toBeUndefined();
    expect(loadConfig({ LFS_LOCAL_AWS_ACCESS_KEY_ID: 'AKIALOCAL', LFS_LOCAL_AWS_SECRET_ACCESS_KEY: 'local-secret' }).aws.localRootCredentials).toEqual({
      accessKeyId: 'AKIALOCAL',
      secretAccessKey: 'local-secret',
    });
    expect(() => loadConfig({ LFS_LOCAL_AWS_ACCESS_KEY_ID: 'AKIALOCAL' })).toThrow(/LFS_LOCAL_AWS_ACCESS_KEY_ID and LFS_LOCAL_AWS_SECRET_ACCESS_KEY must be set together/);
  });

  it("keeps the embedded endpoint's data inside LFS's data folder", () => {
    const config = loadConfig({ LFS_DATA_DIR: '/var/lib/lfs' });
    expect([config.dataDir, config.aws.localDataDir]).toEqual(['/var/lib/lfs', '/var/lib/lfs/aws']);
  });

  it('keeps file records in SQLite in the data folder unless a PostgreSQL URL is given, and refuses any other URL', () => {
    expect(loadConfig({ LFS_DATA_DIR: '/var/lib/lfs' }).database).toMatchObject({ url: undefined, sqlitePath: '/var/lib/lfs/lfs.sqlite', poolSize: 10 });
    const url = 'postgres://lfs:secret@db:5432/lfs?sslmode=verify-full';
    expect(loadConfig({ LFS_DATABASE_URL: url, LFS_DATABASE_POOL_SIZE: '25' }).database).toMatchObject({ url, poolSize: 25, statementTimeoutMs: 10_000 });
    for (const bad of ['mysql://db/lfs', 'db:5432', 'postgres://']) {
      expect(() => loadConfig({ LFS_DATABASE_URL: bad }), bad).toThrow(/LFS_DATABASE_URL/);
    }
  });

  it('reads the browser upload origins as a list, and refuses what is not an origin', () => {
    expect(loadConfig({}).uploads.origins).toEqual(['*']);
    expect(loadConfig({ LFS_UPLOAD_ORIGINS: 'https://app.example.com, http://localhost:3000' }).uploads.origins).toEqual(['https://app.example.com', 'http://localhost:3000']);
    for (const bad of ['app.example.com', 'https://app.example.com/path', ' , ']) {
      expect(() => loadConfig({ LFS_UPLOAD_ORIGINS: bad }), bad).toThrow(/LFS_UPLOAD_ORIGINS/);
    }
  });

  it('refuses an upload deadline shorter than the shortest upload credentials', () => {
    expect(() => loadConfig({ LFS_UPLOAD_DEADLINE_SECONDS: '600' })).toThrow(/LFS_UPLOAD_DEADLINE_SECONDS must be at least 900/);
    expect(() => loadConfig({ LFS_AWS_ENDPOINT: 'http://127.0.0.1:9000', LFS_LOCAL_AWS_MIN_SESSION_SECONDS: '1', LFS_UPLOAD_DEADLINE_SECONDS: '600' })).toThrow(/at least 900/);
    expect(loadConfig({ LFS_LOCAL_AWS_MIN_SESSION_SECONDS: '1', LFS_UPLOAD_DEADLINE_SECONDS: '2' }).uploads.deadlineSeconds).toBe(2);
  });

  it('limits open multipart uploads per key (embedded endpoint) and per file (cleanup job), and refuses zero', () => {
    const defaults = loadConfig({});
    expect([defaults.aws.localMaxUploadsPerKey, defaults.cleanup.maxUploadsPerFile]).toEqual([10, 3]);
    const raised = loadConfig({ LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY: '2000', LFS_MAX_UPLOADS_PER_FILE: '5' });
    expect([raised.aws.localMaxUploadsPerKey, raised.cleanup.maxUploadsPerFile]).toEqual([2000, 5]);
    expect(() => loadConfig({ LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY: '0' })).toThrow(/LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY/);
    expect(() => loadConfig({ LFS_MAX_UPLOADS_PER_FILE: '0' })).toThrow(/LFS_MAX_UPLOADS_PER_FILE/);
  });

  it('ignores unrelated and empty variables', () => {
    expect(() => loadConfig({ PATH: '/bin', LFS_PORT: '' })).not.toThrow();
  });

  it('reads the Ceph engine, its push intake secret, webhooks and the vault copy method, and the rules between them', () => {
    const secret = 'k'.repeat(40);
    const ceph = loadConfig({ LFS_S3_ENGINE: 'ceph', LFS_AWS_ENDPOINT: 'http://127.0.0.1:8000', LFS_EVENT_INTAKE_SECRET: secret, LFS_PUBLIC_URL: 'http://10.0.0.5:4000' });
    expect(ceph.events).toMatchObject({ engine: 'ceph', intakeSecret: secret, publicUrl: 'http://10.0.0.5:4000', webhooks: undefined });
    expect(ceph.promotion.vaultCopy).toBe('multipart');
    expect(loadConfig({}).promotion.vaultCopy).toBe('auto');
    expect(loadConfig({}).events.engine).toBe('aws');
    expect(() => loadConfig({ LFS_S3_ENGINE: 'ceph', LFS_AWS_ENDPOINT: 'http://127.0.0.1:8000' })).toThrow(/LFS_S3_ENGINE=ceph needs LFS_EVENT_INTAKE_SECRET/);
    expect(() => loadConfig({ LFS_S3_ENGINE: 'ceph', LFS_EVENT_INTAKE_SECRET: secret })).toThrow(/LFS_S3_ENGINE=ceph needs LFS_AWS_ENDPOINT/);
    expect(() => loadConfig({ LFS_EVENT_INTAKE_SECRET: 'short' })).toThrow(/LFS_EVENT_INTAKE_SECRET: must be at least 32/);
    expect(() => loadConfig({ LFS_EVENT_INTAKE_SECRET: `${secret}/x` })).toThrow(/LFS_EVENT_INTAKE_SECRET/);
    const hooks = loadConfig({ LFS_WEBHOOK_URLS: 'https://a.example/hook, http://b.example:8080/x', LFS_WEBHOOK_SECRET: secret });
    expect(hooks.events.webhooks).toEqual({ urls: ['https://a.example/hook', 'http://b.example:8080/x'], secret });
    expect(() => loadConfig({ LFS_WEBHOOK_URLS: 'https://a.example/hook' })).toThrow(/LFS_WEBHOOK_URLS and LFS_WEBHOOK_SECRET must be set together/);
    expect(() => loadConfig({ LFS_WEBHOOK_URLS: 'ftp://a.example/x', LFS_WEBHOOK_SECRET: secret })).toThrow(/LFS_WEBHOOK_URLS/);
    expect(loadConfig({ LFS_UPLOAD_ROLE_ARN: 'arn:aws:iam:::role/lfs-upload' }).storage.uploadRoleArn).toBe('arn:aws:iam:::role/lfs-upload');
  });
});
