import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import type { OutsideTool } from '../../packages/local-aws/test/helpers/outside-tools.js';
import { CEPH_BINARIES, CEPH_DEBIAN_PACKAGES, startCephCluster, stopCephCluster, type CephCluster } from '../../scripts/ceph-cluster.mjs';

/**
 * Ceph's daemons and tools as one outside tool: present when every binary
 * scripts/ceph-cluster.mjs runs is on the PATH (Debian's packages, which
 * .ci/run installs).
 */
export function cephTool(): OutsideTool {
  const missing = CEPH_BINARIES.filter((binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0);
  return {
    name: `Ceph (${CEPH_BINARIES.join(', ')})`,
    path: missing.length === 0 ? spawnSync('sh', ['-c', 'command -v radosgw'], { encoding: 'utf8' }).stdout.trim() : undefined,
    debianPackage: CEPH_DEBIAN_PACKAGES,
  };
}

/**
 * A throw-away cluster for the suite: started before its tests, stopped (its
 * daemons by PID, its folder removed) after them. Read `current()` inside a
 * test or a hook.
 */
export function cephClusterForSuite(): { current(): CephCluster } {
  let cluster: CephCluster | undefined;
  beforeAll(async () => {
    cluster = await startCephCluster();
    console.info(`Ceph cluster started in ${cluster.startMs} ms at ${cluster.endpoint}`);
  });
  afterAll(async () => {
    if (cluster) await stopCephCluster(cluster);
  });
  return {
    current() {
      if (!cluster) throw new Error('the Ceph cluster is not running');
      return cluster;
    },
  };
}
