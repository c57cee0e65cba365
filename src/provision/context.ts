import type { AwsClients } from '../aws/clients.js';
import type { Config } from '../config.js';
import type { Target } from './desired.js';
import { describeAwsError, isAwsError, type Caller } from './errors.js';
import type { Json, Refs } from './values.js';

/** Live references are plain strings, filled in as resources are found or created. */
export type LiveRefs = { [K in keyof Refs]: string };

export type Service = 'kms' | 'iam' | 's3' | 'sqs';

/** One unit of configuration provisioning compares and applies: a resource, or one setting of one. */
export interface Item {
  /** Stable name, e.g. `s3:dock:cors`. */
  id: string;
  /** What an operator reads, e.g. `the dock bucket lfs-dock: its CORS rule`. */
  label: string;
  service: Service;
  /** An item that exists only once this one does (a bucket's settings). */
  parent?: string;
  /** What LFS needs, in the compared form. */
  desired: Json;
  /** The compared form of what is there; undefined when it is missing. */
  read(): Promise<Json | undefined>;
  /** Creates it (`actual` undefined) or makes it what is desired. */
  apply(actual: Json | undefined): Promise<void>;
}

export interface LiveContext {
  clients: AwsClients;
  config: Config;
  target: Target;
  refs: LiveRefs;
  /** Queue URLs by queue, as found or created. */
  queueUrls: Map<string, string>;
  caller: Caller;
  /** Runs one AWS call; its failure becomes one line naming `action` and `resource`. */
  call<T>(action: string, resource: string, run: () => Promise<T>): Promise<T>;
  /** As `call`, but undefined when AWS answers one of the `missing` error codes: the resource is not there. */
  lookup<T>(action: string, resource: string, missing: string[], run: () => Promise<T>): Promise<T | undefined>;
}

export function createLiveContext(options: Omit<LiveContext, 'call' | 'lookup' | 'queueUrls'>): LiveContext {
  const context = { caller: options.caller, endpoint: options.clients.endpoint };
  const lookup = async <T>(action: string, resource: string, missing: string[], run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      if (isAwsError(error, ...missing)) return undefined;
      throw describeAwsError(error, action, resource, context);
    }
  };
  return { ...options, queueUrls: new Map(), lookup, call: (action, resource, run) => lookup(action, resource, [], run) as Promise<never> };
}
