// A technician's first sync into the app's replica in headless Chromium: the server's own /tech/worker.js (the
// WebAssembly core in a dedicated Web Worker, the replica in OPFS, synchronous XHR) opens a fresh replica, logs in and
// syncs from a running server. Run by `fieldrepair-bench browser-bootstrap`, which seeds the server and measures the
// native core beside it; progress goes to stderr, figures to stdout.
// The worker runs as served; timers are wrapped around its httpSend, the core's sync call and the OPFS access handles'
// methods to split the sync's time (a performance.now() pair per call).
// Usage: node tests/bench/tech_bootstrap.mjs <server URL> <CA file (PEM)> <username> <password>
// Needs playwright-core from tests/browser (npm ci --prefix tests/browser) and /usr/bin/chromium.
import fs from 'node:fs';
import { launchProfile, must, openReplica, release, renderers, workerPage } from './tech_worker.mjs';

const [url, caFile, username, password] = process.argv.slice(2);
if (!password) {
  console.error('usage: node tests/bench/tech_bootstrap.mjs <server URL> <CA file> <username> <password>');
  process.exit(2);
}
const MiB = (kib) => (kib / 1024).toFixed(1);
const seconds = (ms) => (ms / 1000).toFixed(2);
const progress = (text) => process.stderr.write(`  [browser] ${text}\n`);

// Wraps the worker's transport before the core is made (open passes httpSend to it).
function timeTransport() {
  const t = { xhr: 0, requests: 0, bytes: 0, core: 0, inCore: false, io: {}, calls: {} };
  self.benchTimes = t;
  const send = httpSend;
  httpSend = (request) => {  // eslint-disable-line no-global-assign
    const start = performance.now();
    try {
      const answer = send(request);
      if (answer) t.bytes += answer.body.length;
      return answer;
    } finally {
      t.xhr += performance.now() - start;
      t.requests += 1;
    }
  };
}

// Wraps the core's sync call and the replica's OPFS handles (counted while the core syncs), once the replica is open.
function timeCore() {
  const t = self.benchTimes;
  const sync = core._fr_sync_client_sync;
  core._fr_sync_client_sync = (...args) => {
    const start = performance.now();
    t.inCore = true;
    try {
      return sync(...args);
    } finally {
      t.inCore = false;
      t.core += performance.now() - start;
    }
  };
  for (const { handle } of core.opfsFiles) {
    for (const name of ['read', 'write', 'flush', 'truncate', 'getSize']) {
      const f = handle[name].bind(handle);
      t.io[name] = 0;
      t.calls[name] = 0;
      handle[name] = (...args) => {
        const start = performance.now();
        try {
          return f(...args);
        } finally {
          if (t.inCore) {
            t.io[name] += performance.now() - start;
            t.calls[name] += 1;
          }
        }
      };
    }
  }
}

const browser = await launchProfile(fs.readFileSync(caFile));  // a fresh profile on disk: an empty OPFS
try {
  const w = await workerPage(browser.context, url);
  await w.worker.evaluate(timeTransport);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = renderers(process.pid);
  progress('opening the replica');
  let t0 = performance.now();
  await openReplica(w, url);
  const openMs = performance.now() - t0;
  await w.worker.evaluate(timeCore);
  progress(`logging in as ${username}`);
  t0 = performance.now();
  await must(w, 'login', { username, password });
  const loginMs = performance.now() - t0;
  await w.worker.evaluate(() => Object.assign(self.benchTimes, { xhr: 0, requests: 0, bytes: 0 }));
  progress('first sync (the bootstrap)');
  const before = renderers(process.pid);
  t0 = performance.now();
  const report = await must(w, 'sync');
  const syncMs = performance.now() - t0;
  const after = renderers(process.pid);
  const t = await w.worker.evaluate(() => ({ ...self.benchTimes, heap: core.HEAPU8.length }));
  const counts = await w.worker.evaluate(() => Object.fromEntries(['jobs', 'customers', 'assets', 'parts']
    .map((table) => [table, json('replica_list_rows', replica, table, null).length])));
  const coreOnly = t.core - t.xhr;
  const io = Object.values(t.io).reduce((a, b) => a + b, 0);
  console.log(`browser bootstrap: ${report.pulled} rows pulled in ${report.pages} pages, checkpoint ${
    report.checkpoint_applied ? 'applied' : 'NOT applied'}; open ${seconds(openMs)} s, login ${seconds(loginMs)} s, sync ${
    seconds(syncMs)} s = ${Math.round(report.pulled / (syncMs / 1000))} rows/s`);
  console.log(`  in the worker: XHR ${seconds(t.xhr)} s (${Math.round(100 * t.xhr / syncMs)}%, ${t.requests} requests, ${
    MiB(t.bytes / 1024)} MiB of JSON after the browser's gunzip), core ${seconds(coreOnly)} s (${
    Math.round(100 * coreOnly / syncMs)}%), of it OPFS ${seconds(io)} s (flush ${seconds(t.io.flush)} s in ${
    t.calls.flush} calls, write ${seconds(t.io.write)} s in ${t.calls.write}), the worker's JavaScript around the core ${
    seconds(syncMs - t.core)} s`);
  console.log(`  renderer memory +${MiB(after.rssKiB - idle.rssKiB)} MiB (resident ${MiB(after.rssKiB)} MiB, sum of the renderers' peaks ${
    MiB(after.peakKiB)} MiB), wasm memory ${MiB(t.heap / 1024)} MiB`);
  console.log(`  CPU during the sync: Chromium ${(after.allCpuS - before.allCpuS).toFixed(2)} s (renderer ${
    (after.cpuS - before.cpuS).toFixed(2)} s)`);
  console.log(`  in the replica: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  await release(w);
} finally {
  await browser.close();
}
