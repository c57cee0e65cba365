/** Types of scripts/ceph-cluster.mjs, for the tests that start a cluster. */
export interface CephCluster {
  /** The temporary folder holding the cluster's state, configuration and logs. */
  dir: string;
  /** The daemons (monitor, OSD, gateway): stopCephCluster kills exactly these. */
  pids: number[];
  /** The gateway's S3/STS/IAM/SNS endpoint on 127.0.0.1. */
  endpoint: string;
  region: string;
  /** The gateway user `lfs` (caps roles=*;user-policy=*). */
  accessKeyId: string;
  secretAccessKey: string;
  userArn: string;
  /** The key ids the gateway's SSE-KMS testing backend knows. */
  kmsKeys: string[];
  /** ceph.conf, for radosgw-admin -c. */
  config: string;
  /** How long the start took. */
  startMs: number;
}
export const CEPH_DEBIAN_PACKAGES: string;
export const CEPH_BINARIES: string[];
export const CEPH_KMS_KEYS: string[];
export function startCephCluster(options?: { timeoutMs?: number }): Promise<CephCluster>;
export function stopCephCluster(cluster: Pick<CephCluster, 'dir' | 'pids'>): Promise<void>;
