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
import path from 'node:path';
import { start_server } from '../browser/server.mjs';
import { launchTrusting, openReplica, release, renderers, workerPage } from './tech_worker.mjs';

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
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await start_server(path.resolve(binary), { FIELDREPAIR_LOG_LEVEL: 'error' });  // it runs in its data folder
const browser = await launchTrusting(server.ca);
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
  const w = await workerPage(context, server.url);
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
    const page = await workerPage(context, server.url, { file, core: beforeCore });
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
    const page = await workerPage(context, server.url, { file, core: beforeCore });
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
