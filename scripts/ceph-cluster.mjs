#!/usr/bin/env node
// A throw-away single-node Ceph cluster with its object gateway, for tests and for trying LFS on Ceph:
//   node scripts/ceph-cluster.mjs start [--json]   starts it, prints the endpoint, the credentials and the PIDs
//   node scripts/ceph-cluster.mjs stop DIR         stops the daemons by the PIDs recorded in DIR and removes DIR
// One monitor, one OSD on memstore (the data live in RAM: keep test files small), radosgw on 127.0.0.1 with
// S3, STS, IAM and notifications, SSE-KMS through the gateway's testing backend. State under a temporary folder,
// ports chosen free, no authentication between the daemons (loopback only). LFS_CEPH_DEBUG_RGW=20 makes the gateway's
// log (DIR/log/client.rgw.log) say what it does with each notification; LFS_CEPH_KEEP=1 keeps a test's cluster.
import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Debian packages that bring the binaries this script runs. */
export const CEPH_DEBIAN_PACKAGES = 'ceph-mon ceph-osd radosgw ceph-common';
export const CEPH_BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool'];

/** The SSE-KMS key ids the gateway's testing backend knows (LFS's defaults name them). */
export const CEPH_KMS_KEYS = ['lfs-dock', 'lfs-vault'];

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function configText({ dir, fsid, monPorts, rgwPort, stsKey, kmsKeys }) {
  return `[global]
fsid = ${fsid}
mon host = [v2:127.0.0.1:${monPorts[0]},v1:127.0.0.1:${monPorts[1]}]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
pid file = ${dir}/run/$name.pid
keyring = /dev/null
ms bind ipv6 = false

[mon]
mon data = ${dir}/mon/$name
# A fresh monitor otherwise waits seconds between proposals: the first start goes from ~13 s to ~2.5 s.
paxos propose interval = 0.05
paxos min wait = 0.01
mon allow pool delete = true

[osd]
osd data = ${dir}/osd/$name
osd objectstore = memstore
memstore device bytes = 2147483648
osd crush update on start = true

[client.rgw]
# Without it the gateway hangs at start (get_initial_auth_request returned -13).
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw enable apis = s3, s3website, admin, sts, iam, notifications
rgw sts key = ${stsKey}
rgw s3 auth use sts = true
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = ${kmsKeys.map(({ id, key }) => `${id}=${key}`).join(' ')}
rgw crypt require ssl = false
# A lifecycle "day" lasts seconds, so expiry can be seen in a test.
rgw lc debug interval = 10
rgw dns name = 127.0.0.1
${process.env.LFS_CEPH_DEBUG_RGW ? `debug rgw = ${process.env.LFS_CEPH_DEBUG_RGW}\n` : ''}`;
}

/** Whether something accepts connections on the port: the gateway listens only once it is ready. */
function answers(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function daemon(command, args, dir, name) {
  const log = openSync(join(dir, 'log', `${name}.out`), 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  return child.pid;
}

async function until(what, check, timeoutMs) {
  const started = Date.now();
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() - started > timeoutMs) throw new Error(`the Ceph cluster did not come up: ${what} (after ${timeoutMs} ms)`);
    await sleep(50);
  }
}

/** Starts the cluster; resolves with where it is, its credentials and how to stop it. */
export async function startCephCluster({ timeoutMs = 60_000 } = {}) {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'lfs-ceph-'));
  const pids = [];
  const stopOnFailure = () => stopCephCluster({ dir, pids });
  try {
    for (const sub of ['run', 'log', 'mon/mon.a', 'osd/osd.0', 'rgw']) mkdirSync(join(dir, sub), { recursive: true });
    const [mon2, mon1, rgwPort] = [await freePort(), await freePort(), await freePort()];
    const kmsKeys = CEPH_KMS_KEYS.map((id) => ({ id, key: randomBytes(32).toString('base64') }));
    const conf = join(dir, 'ceph.conf');
    const fsid = randomUUID();
    writeFileSync(conf, configText({ dir, fsid, monPorts: [mon2, mon1], rgwPort, stsKey: randomBytes(8).toString('hex'), kmsKeys }));
    const c = ['-c', conf];
    await run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${mon2},v1:127.0.0.1:${mon1}]`, join(dir, 'monmap')]);
    await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')]);
    pids.push(daemon('ceph-mon', [...c, '-f', '-i', 'a'], dir, 'mon.a'));
    writeState(dir, pids);
    const ceph = (...args) => run('ceph', [...c, '--connect-timeout', '10', ...args]);
    const osdUuid = randomUUID();
    const { stdout: osdId } = await ceph('osd', 'new', osdUuid);
    const id = osdId.trim();
    await run('ceph-osd', [...c, '-i', id, '--mkfs', '--osd-uuid', osdUuid]);
    pids.push(daemon('ceph-osd', [...c, '-f', '-i', id], dir, `osd.${id}`));
    writeState(dir, pids);
    pids.push(daemon('radosgw', [...c, '-f', '-n', 'client.rgw'], dir, 'client.rgw'));
    writeState(dir, pids);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await until('the gateway answering', () => answers(rgwPort), timeoutMs);
    const accessKeyId = `LFS${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString('base64url');
    const admin = (...args) => run('radosgw-admin', [...c, '-n', 'client.rgw', ...args]);
    await admin('user', 'create', '--uid', 'lfs', '--display-name', 'LFS', '--access-key', accessKeyId, '--secret-key', secretAccessKey);
    // Creating roles and their policies needs these caps; the user is LFS's (it assumes the upload role).
    await admin('caps', 'add', '--uid', 'lfs', '--caps', 'roles=*;user-policy=*');
    const cluster = {
      dir,
      pids,
      endpoint,
      region: 'us-east-1',
      accessKeyId,
      secretAccessKey,
      userArn: 'arn:aws:iam:::user/lfs',
      kmsKeys: kmsKeys.map(({ id }) => id),
      config: conf,
      startMs: Date.now() - started,
    };
    writeState(dir, pids, cluster);
    return cluster;
  } catch (error) {
    await stopOnFailure();
    throw error;
  }
}

function writeState(dir, pids, cluster) {
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ ...cluster, dir, pids }, null, 2));
}

/** Stops the daemons by their PIDs (SIGKILL: the state is thrown away anyway) and removes the folder. */
export async function stopCephCluster({ dir, pids }) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await until('the daemons to exit', () => pids.every((pid) => !alive(pid)), 10_000).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main([command, arg]) {
  if (command === 'start') {
    const cluster = await startCephCluster();
    if (arg === '--json') console.log(JSON.stringify(cluster, null, 2));
    else {
      console.log(`# Ceph started in ${cluster.startMs} ms; stop it with: node scripts/ceph-cluster.mjs stop ${cluster.dir}`);
      console.log(`export AWS_ENDPOINT_URL=${cluster.endpoint}`);
      console.log(`export AWS_REGION=${cluster.region} AWS_DEFAULT_REGION=${cluster.region}`);
      console.log(`export AWS_ACCESS_KEY_ID=${cluster.accessKeyId}`);
      console.log(`export AWS_SECRET_ACCESS_KEY=${cluster.secretAccessKey}`);
      console.log(`export CEPH_CONF=${cluster.config}`);
      console.log(`# PIDs: ${cluster.pids.join(' ')}; SSE-KMS key ids: ${cluster.kmsKeys.join(', ')}`);
    }
  } else if (command === 'stop' && arg) {
    const state = JSON.parse(readFileSync(join(arg, 'cluster.json'), 'utf8'));
    await stopCephCluster(state);
  } else {
    console.error('usage: node scripts/ceph-cluster.mjs start [--json] | stop DIR');
    process.exitCode = 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
