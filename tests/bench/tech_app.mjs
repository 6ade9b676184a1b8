// Benchmark of the technician app in headless Chromium against a fresh server; not a pass/fail test, prints figures:
// - app start offline to the first screen (a job), from the service worker and the OPFS replica;
// - memory when the worker opens a replica holding many photos (the renderer processes' resident set, which holds
//   the worker's JavaScript heap and the core's wasm memory);
// - the worker's CPU time and the sync call's wall time while the server cannot be reached (retries).
// With --before <worker.js> the last two also run an older worker script (e.g. `git show <commit>:server/web/tech/
// worker.js`) on the same replica, side by side, and with --before-core <dir> that worker loads an older build's
// fieldmobile-core.js and .wasm from dir (e.g. another build folder's build/mobile-core/wasm/web/tech/core).
// Usage: node tests/bench/tech_app.mjs <fieldrepair-server> [--photos 100] [--photo-kb 200] [--runs 3] [--before FILE]
//        [--before-core DIR]
// Needs playwright-core from tests/browser (npm ci --prefix tests/browser) and /usr/bin/chromium.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { start_server } from '../browser/server.mjs';

const { chromium } = createRequire(new URL('../browser/package.json', import.meta.url))('playwright-core');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const binary = args[0];
if (!binary || binary.startsWith('--')) {
  console.error('usage: node tests/bench/tech_app.mjs <fieldrepair-server> [--photos N] [--photo-kb KB] [--runs N] [--before FILE]');
  process.exit(2);
}
const PHOTOS = Number(option('photos', 100)), PHOTO_KB = Number(option('photo-kb', 200)), RUNS = Number(option('runs', 3));
const before = option('before', null);
const beforeCore = option('before-core', null);
const TICK = 100;  // clock ticks per second in /proc/<pid>/stat (Linux)

// The renderer processes under a process (this one: Chromium is its child): resident set (KiB) and CPU time (s).
function renderers(rootPid) {
  const children = new Map();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(pid));
    } catch { /* gone meanwhile */ }
  }
  const out = { rssKiB: 0, cpuS: 0 };
  const walk = (pid) => {
    for (const child of children.get(pid) || []) {
      try {
        if (fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('--type=renderer')) {
          const status = fs.readFileSync(`/proc/${child}/status`, 'utf8');
          out.rssKiB += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] || 0);
          const fields = fs.readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1].split(' ');
          out.cpuS += (Number(fields[11]) + Number(fields[12])) / TICK;
        }
      } catch { /* gone meanwhile */ }
      walk(child);
    }
  };
  walk(rootPid);
  return out;
}

// A worker on a same-origin page, from the server (the current script) or from a file (an older one).
async function workerPage(context, url, file) {
  const page = await context.newPage();
  await page.goto(`${url}/tech/icon.svg`);
  let source = file ? fs.readFileSync(file, 'utf8').replace(/(['`])\/tech\/core\//g, `$1${url}/tech/core/`) : null;
  if (source && beforeCore) {
    // The older core as blob URLs: its script by importScripts, its wasm by locateFile.
    const [js, wasm] = await page.evaluate(([code, bytes]) => [
      URL.createObjectURL(new Blob([code], { type: 'text/javascript' })),
      URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'application/wasm' }))],
    [fs.readFileSync(`${beforeCore}/fieldmobile-core.js`, 'utf8'), [...fs.readFileSync(`${beforeCore}/fieldmobile-core.wasm`)]]);
    source = source.replace(`importScripts('${url}/tech/core/fieldmobile-core.js')`, `importScripts('${js}')`)
      .replace(/locateFile: \(name\) => `[^`]*`/, `locateFile: () => '${wasm}'`);
  }
  await page.evaluate((text) => {
    const worker = text ? new Worker(URL.createObjectURL(new Blob([text], { type: 'text/javascript' })))
      : new Worker('/tech/worker.js');
    const waiting = new Map();
    let next = 1;
    worker.onmessage = (e) => {
      if (e.data.event) return;
      waiting.get(e.data.id)?.(e.data);
      waiting.delete(e.data.id);
    };
    window.call = (method, params) => new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      worker.postMessage({ id, method, params }, params?.bytes ? [params.bytes] : []);
    });
    window.stop = () => worker.terminate();
  }, source);
  const call = (method, params = {}) => page.evaluate(([m, p]) => window.call(m, p), [method, params]);
  return { page, call };
}

// Opens the replica, waiting while a closed page's worker still holds it.
async function openReplica(w, url) {
  for (let i = 0; i < 100; i += 1) {
    const r = await w.call('open', { server: url });
    if (!r.error) return r.result;
    if (r.error.code !== 'unavailable') throw new Error(JSON.stringify(r.error));
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the replica stayed in use');
}

async function release(w) {
  await w.call('close');  // an older worker has no close: terminating it lets go of the files
  await w.page.evaluate(() => window.stop());
  await w.page.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await start_server(binary, { FIELDREPAIR_LOG_LEVEL: 'error' });
const spki = crypto.createHash('sha256')
  .update(new crypto.X509Certificate(server.ca).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
const browser = await chromium.launch({ executablePath: process.env.FIELDREPAIR_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', `--ignore-certificate-errors-spki-list=${spki}`] });
const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
const pid = process.pid;  // Chromium is a child of this process; its renderers are further down
const workers = before ? [['now', null], ['before', before]] : [['now', null]];
try {
  const dispatcher = await server.login('dispatcher');
  const li = (await server.must('GET', '/api/v1/users?role=technician', { token: await server.login('admin', 'admin-password-1') }))
    .items.find((u) => u.username === 'tech.li');
  const liu = await server.login('customer.liu');
  const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
  const asset = (await server.must('GET', '/api/v1/assets?q=EG100', { token: liu })).items[0];
  const job = await server.must('POST', '/api/v1/jobs', { token: dispatcher, body: {
    customer_id: me.customer_id, asset_id: asset.id, description: '洗衣机不排水 (bench)', priority: 'normal' } }, 201);
  await server.must('POST', `/api/v1/jobs/${job.id}/actions/assign`, { token: dispatcher, body: { technician_id: li.id } });

  // Sign in through the app, so the service worker holds the shell and OPFS the replica.
  const app = await context.newPage();
  await app.goto(`${server.url}/tech/`);
  await app.fill('#username', 'tech.li');
  await app.fill('#password', 'demo-password-1');
  await app.click('#login button[type=submit]');
  await app.waitForSelector(`.visit[data-ticket="${job.ticket_no}"]`, { timeout: 60_000 });
  await app.evaluate(() => navigator.serviceWorker.ready);
  await app.close();

  const starts = [];
  await context.setOffline(true);
  for (let run = 0; run < RUNS; run += 1) {
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${server.url}/tech/#/job/${job.id}`);
    await page.waitForSelector('.job .state', { timeout: 30_000 });
    starts.push(Date.now() - t0);
    await page.close();
  }
  await context.setOffline(false);
  console.log(`app start offline to the first screen (a job): median ${median(starts)} ms of ${RUNS} (${starts.join(', ')} ms)`);

  // Photos taken on the tablet: PHOTOS files of PHOTO_KB each, in OPFS.
  const w = await workerPage(context, server.url, null);
  await openReplica(w, server.url);
  const bytes = crypto.randomBytes(PHOTO_KB * 1024);
  for (let i = 0; i < PHOTOS; i += 1) {
    bytes.writeUInt32BE(i, 16);  // each photo its own bytes, so its own file
    const r = await w.page.evaluate(([id, data]) => window.call('addAttachment', { jobId: id, kind: 'photo',
      name: 'p.png', bytes: new Uint8Array(data).buffer }), [job.id, [...bytes]]);
    if (r.error) throw new Error(JSON.stringify(r.error));
  }
  await release(w);
  console.log(`${PHOTOS} photos of ${PHOTO_KB} KB on the device (${(PHOTOS * PHOTO_KB / 1024).toFixed(1)} MiB), waiting to upload`);

  for (const [name, file] of workers) {
    const page = await workerPage(context, server.url, file);
    await new Promise((r) => setTimeout(r, 1000));
    const idle = renderers(pid);
    const t0 = Date.now();
    await openReplica(page, server.url);
    const opened = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const open = renderers(pid);
    console.log(`open with ${PHOTOS} photos [${name}]: ${opened} ms, renderer memory +${((open.rssKiB - idle.rssKiB) / 1024).toFixed(1)} MiB`);
    await release(page);
  }

  // The server goes away while the browser still says online: one sync call, then 10 s of the worker on its own.
  await server.stop();
  for (const [name, file] of workers) {
    const page = await workerPage(context, server.url, file);
    await openReplica(page, server.url);
    const cpu0 = renderers(pid).cpuS;
    const t0 = Date.now();
    const answer = await page.call('sync');
    const took = Date.now() - t0;
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - took)));
    const cpu = renderers(pid).cpuS - cpu0;
    console.log(`server unreachable [${name}]: sync answered ${answer.error?.code ?? 'ok'} after ${took} ms; renderer CPU over 10 s: ${cpu.toFixed(2)} s`);
    await release(page);
  }
} finally {
  await browser.close();
  await server.stop().catch(() => {});
}
