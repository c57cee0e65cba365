import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';

/**
 * The AWS CLI the outside-client suite drives: Debian's `awscli` package
 * (installed by .ci/run) when present, else whatever `aws` is on PATH.
 * `LFS_TEST_AWS_CLI` names another binary. Undefined when there is none.
 */
export function findAwsCli(): string | undefined {
  const chosen = process.env.LFS_TEST_AWS_CLI;
  if (chosen) return chosen;
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  const found = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : undefined;
}

/**
 * Every distinct AWS CLI on this machine (Debian's and the one on PATH when
 * it differs): older ones speak the SQS Query protocol, newer ones JSON.
 */
export function findAllAwsClis(): string[] {
  const candidates = [findAwsCli(), '/usr/bin/aws'];
  const onPath = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).stdout.trim();
  // A pyenv shim needs pyenv's shell setup; run the interpreter's own script instead.
  candidates.push(onPath.includes('/shims/') ? spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' }).stdout?.trim() : onPath);
  const seen = new Map<string, string>();
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    if (!seen.has(real)) seen.set(real, candidate);
  }
  return [...seen.values()];
}

export interface AwsCliCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AwsCli {
  /** `aws --endpoint-url <endpoint> ...args`; resolves with the exit code, never rejects on failure. */
  run(args: string[], credentials?: AwsCliCredentials): Promise<AwsCliResult>;
  /** Runs and parses stdout as JSON; throws with stderr when the command fails. */
  json<T = Record<string, unknown>>(args: string[], credentials?: AwsCliCredentials): Promise<T>;
  /** Runs and throws with stderr when the command fails. */
  ok(args: string[], credentials?: AwsCliCredentials): Promise<string>;
}

/**
 * Runs the CLI isolated from the machine's own AWS setup: no config or
 * credentials files, no instance metadata, no pager, one attempt, JSON output.
 */
export function awsCli(options: { bin: string; endpoint: string; region: string; credentials: AwsCliCredentials }): AwsCli {
  const envFor = (credentials: AwsCliCredentials): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: options.region,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      AWS_DEFAULT_OUTPUT: 'json',
      AWS_MAX_ATTEMPTS: '1',
      AWS_RETRY_MODE: 'standard',
    };
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
    // pyenv shims need their root to find the real interpreter.
    if (process.env.PYENV_ROOT) env.PYENV_ROOT = process.env.PYENV_ROOT;
    return env;
  };

  const run = (args: string[], credentials = options.credentials) =>
    new Promise<AwsCliResult>((resolve, reject) => {
      const child = spawn(options.bin, ['--endpoint-url', options.endpoint, ...args], { env: envFor(credentials), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  const ok = async (args: string[], credentials?: AwsCliCredentials) => {
    const result = await run(args, credentials);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited with ${result.code}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  return {
    run,
    ok,
    async json<T>(args: string[], credentials?: AwsCliCredentials) {
      const out = await ok(args, credentials);
      return (out.trim() === '' ? {} : JSON.parse(out)) as T;
    },
  };
}

/** The AWS error code in a CLI failure: `An error occurred (NoSuchBucket) when calling ...`. */
export function cliErrorCode(result: AwsCliResult): string | undefined {
  return /An error occurred \(([^)]+)\)/.exec(result.stderr)?.[1];
}
