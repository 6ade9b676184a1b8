// The technician app's worker (server/web/tech/worker.js) with the WebAssembly core in headless Chromium, against the
// real server: sign in, bootstrap, work offline, restart the browser, find the work in OPFS, sync it once.
// Usage: node worker_browser.mjs <fieldrepair-server> <folder of tech/core/fieldmobile-core.js and .wasm>
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const browserTests = path.join(root, 'tests/browser');
const { chromium } = createRequire(path.join(browserTests, 'package.json'))('playwright-core');
const { start_server } = await import(path.join(browserTests, 'server.mjs'));
const { check, finish } = await import(path.join(browserTests, 'checks.mjs'));

const [binary, coreDir] = process.argv.slice(2).map((p) => path.resolve(p));
// The page's origin in this test: the worker, the core and an empty page, with /api/ passed on to the real server,
// so the worker's requests are same-origin as in the app. Loopback HTTP is a secure context, as OPFS needs.
function startOrigin(server) {
  const files = {
    '/tech/worker.js': [path.join(root, 'server/web/tech/worker.js'), 'text/javascript'],
    '/tech/core/fieldmobile-core.js': [path.join(coreDir, 'tech/core/fieldmobile-core.js'), 'text/javascript'],
    '/tech/core/fieldmobile-core.wasm': [path.join(coreDir, 'tech/core/fieldmobile-core.wasm'), 'application/wasm'],
  };
  const agent = new https.Agent({ ca: server.ca, keepAlive: true });
  const origin = http.createServer((req, res) => {
    if (req.url.startsWith('/api/')) {
      const headers = { ...req.headers };
      delete headers.host;
      const upstream = https.request(`${server.url}${req.url}`, { method: req.method, headers, agent }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => { res.writeHead(502); res.end(); });
      req.pipe(upstream);
      return;
    }
    const file = files[req.url];
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>worker test</title>');
    } else if (file) {
      res.writeHead(200, { 'Content-Type': file[1] });
      res.end(fs.readFileSync(file[0]));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => origin.listen(0, '127.0.0.1', () => resolve(origin)));
}

// Opens the page and a worker on it; call(method, params) answers {result} or {error}.
async function openApp(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.evaluate(() => {
    const worker = new Worker('/tech/worker.js');
    const waiting = new Map();
    window.events = [];
    let next = 1;
    worker.onmessage = (e) => {
      if (e.data.event) { window.events.push(e.data); return; }
      const done = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      done(e.data);
    };
    window.call = (method, params) => new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      worker.postMessage({ id, method, params });
    });
  });
  const call = (method, params = {}) => page.evaluate(([m, p]) => window.call(m, p), [method, params]);
  return { page, call, errors };
}

// The smallest PNG (1×1, transparent): the photo the technician takes.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082', 'hex');

const plan = (cost = 280) => ({
  findings: '排水泵堵塞 drain pump blocked', warranty_covered: false, customer_caused: false, fault_category: '洗衣机',
  plan: { mode: 'on_site', cost_to_customer: cost, items: [
    { kind: 'part', description: '排水泵 drain pump', part_no: 'DP-100', quantity: 1, unit_price: 180 },
    { kind: 'labour', description: '上门工时 labour', quantity: 1, unit_price: 100 }] },
});

const launch = (profile) => chromium.launchPersistentContext(profile, {
  executablePath: process.env.FIELDREPAIR_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

const server = await start_server(binary);
const origin = await startOrigin(server);
const url = `http://127.0.0.1:${origin.address().port}/`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldrepair-worker-'));
let context = await launch(profile);
try {
  const admin = await server.login('admin', 'admin-password-1');
  const dispatcher = await server.login('dispatcher');
  const users = (await server.must('GET', '/api/v1/users?role=technician', { token: admin })).items;
  const li = users.find((u) => u.username === 'tech.li');
  const liu = await server.login('customer.liu');
  const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
  const asset = (await server.must('GET', '/api/v1/assets?q=EG100', { token: liu })).items[0];
  const made = await server.must('POST', '/api/v1/jobs', { token: dispatcher, body: {
    customer_id: me.customer_id, asset_id: asset.id, description: '洗衣机不排水 (worker test)', priority: 'normal' } }, 201);
  await server.must('POST', `/api/v1/jobs/${made.id}/actions/assign`, { token: dispatcher, body: { technician_id: li.id } });
  // A fault reported on the portal with the customer's photo, assigned to tech.li too.
  const reported = await server.must('POST', '/api/v1/portal/reports', { body: { contact_name: '孙丽', phone: '13700002222',
    address: '上海市黄浦区人民大道200号', model: '格力 KFR-35 空调', serial_no: `GREE-WORKER-${Date.now()}`,
    description: '空调不制冷 (worker test)', preferred_start: '2026-12-10T09:00:00+08:00',
    preferred_end: '2026-12-10T12:00:00+08:00', photos: [PNG.toString('base64')] } }, 201);
  await server.must('POST', `/api/v1/jobs/${reported.job_id}/actions/assign`, { token: dispatcher,
    body: { technician_id: li.id } });

  let app = await openApp(context, url);
  let opened = await app.call('open', { server: url.slice(0, -1) });
  check('open creates an empty replica in OPFS', opened.result && !opened.result.signedIn, JSON.stringify(opened));
  const workflow = await app.call('workflow');
  check('the core gives the workflow it validates with', Array.isArray(workflow.result?.actions) || !!workflow.result?.states,
    JSON.stringify(workflow).slice(0, 200));
  const badLogin = await app.call('login', { username: 'tech.li', password: 'wrong-password-1' });
  check('a wrong password is refused with the core\'s code', badLogin.error?.code === 'bad_credentials', JSON.stringify(badLogin));
  const login = await app.call('login', { username: 'tech.li', password: 'demo-password-1' });
  check('tech.li signs in through the worker', login.result?.signedIn === true && login.result.username === 'tech.li',
    JSON.stringify(login));
  const first = await app.call('sync');
  check('the first sync bootstraps the replica', first.result?.pulled > 0, JSON.stringify(first));
  const jobs = (await app.call('listJobs', { mine: true })).result || [];
  const job = jobs.find((j) => j.id === made.id);
  check('the assigned job is listed from the replica', !!job, JSON.stringify(jobs.map((j) => j.ticket_no)));
  const rows = await app.call('query', { name: 'rows', params: { table: 'customers' } });
  check('query rows lists the job\'s customer', rows.result?.some((c) => c.id === me.customer_id), JSON.stringify(rows).slice(0, 200));

  // After the sync the worker keeps the customer's photo in OPFS by itself, so it can be viewed offline.
  const customerPhoto = (await app.call('listAttachments', { jobId: reported.job_id })).result?.[0];
  check('the customer\'s photo came with the bootstrap', !!customerPhoto, JSON.stringify(customerPhoto));
  const kept = await app.page.evaluate(async (sha) => {
    for (let i = 0; i < 200; i += 1) {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('fieldmobile');
      const files = await dir.getDirectoryHandle('server.files', { create: true });
      if (await files.getFileHandle(sha).then(() => true, () => false)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }, customerPhoto?.sha256);
  check('the worker keeps the customer\'s photo in OPFS after the sync', kept);

  await context.setOffline(true);
  const customerRead = await app.page.evaluate(async (id) => {
    const r = await window.call('readAttachment', { id });
    return r.result ? [...new Uint8Array(r.result.bytes)] : r;
  }, customerPhoto?.id);
  check('offline, the customer\'s photo opens from OPFS', Array.isArray(customerRead) && Buffer.from(customerRead).equals(PNG),
    JSON.stringify(customerRead).slice(0, 200));
  const offline = await app.call('sync');
  check('offline, sync answers unavailable', offline.error?.code === 'unavailable', JSON.stringify(offline));
  const noPlan = await app.call('takeAction', { jobId: made.id, action: 'submit_assessment', fields: {} });
  check('an assessment without its fields is refused on the device, naming a field',
    !!noPlan.error && !!noPlan.error.field, JSON.stringify(noPlan));
  const overPriced = await app.call('takeAction', { jobId: made.id, action: 'submit_assessment', fields: plan(280.01) });
  check('a customer price above the plan\'s total is refused on the device with the server\'s code and field',
    overPriced.error?.code === 'invalid_field' && overPriced.error.field === 'plan.cost_to_customer', JSON.stringify(overPriced));
  check('the refused action queued nothing', (await app.call('status')).result.pending === 0);
  const assessed = await app.call('takeAction', { jobId: made.id, action: 'submit_assessment', fields: plan(280) });
  check('offline, the assessment is queued', typeof assessed.result === 'string', JSON.stringify(assessed));
  const photo = await app.page.evaluate(([bytes]) => window.call('addAttachment', {
    jobId: bytes.job, kind: 'photo', name: '现场.png', bytes: new Uint8Array(bytes.png).buffer }), [{ job: made.id, png: [...PNG] }]);
  check('offline, a photo is attached', !!photo.result?.id, JSON.stringify(photo));
  const status = (await app.call('status')).result;
  check('the status counts two waiting changes and says offline', status.pending === 2 && status.online === false,
    JSON.stringify(status));
  check('every change was announced with a status event',
    (await app.page.evaluate(() => window.events.filter((e) => e.event === 'status').length)) >= 4);

  // The browser closes (a reboot of the tablet) and opens again; the page and the worker's scripts load (in the app the
  // service worker serves them offline), then the network goes.
  await context.close();
  context = await launch(profile);
  app = await openApp(context, url);
  opened = await app.call('open', { server: url.slice(0, -1) });
  await context.setOffline(true);
  check('after a restart, the replica opens from OPFS signed in with two waiting changes',
    opened.result?.signedIn === true && opened.result.pending === 2, JSON.stringify(opened));
  const again = (await app.call('getRow', { table: 'jobs', id: made.id })).result;
  check('the job shows the queued assessment', again?.state && again.state !== job.state, `${job.state} → ${again?.state}`);
  const read = await app.page.evaluate(async (id) => {
    const r = await window.call('readAttachment', { id });
    return r.result ? { bytes: [...new Uint8Array(r.result.bytes)], type: r.result.type } : r;
  }, photo.result.id);
  check('the photo\'s bytes are still on the device', Buffer.from(read.bytes || []).equals(PNG), JSON.stringify(read).slice(0, 200));

  await context.setOffline(false);
  const synced = await app.call('sync');
  check('online again, sync sends both changes', synced.result?.pushed === 2 && synced.result.rejected === 0, JSON.stringify(synced));
  check('nothing waits any more', (await app.call('status')).result.pending === 0);
  const onServer = await server.must('GET', `/api/v1/jobs/${made.id}`, { token: dispatcher });
  check('the server has the assessment', onServer.state === again.state, `${onServer.state} vs ${again.state}`);
  const upload = await server.must('GET', `/api/v1/attachments/${photo.result.sha256}`, { token: dispatcher });
  check('the server has the photo\'s bytes', upload.complete === true && upload.received_bytes === PNG.length,
    JSON.stringify(upload));
  const events = await server.must('GET', `/api/v1/jobs/${made.id}/events`, { token: dispatcher });
  const list = events.items || events;
  const assessments = list.filter((e) => JSON.stringify(e).includes('submit_assessment'));
  check('the assessment arrived exactly once', assessments.length === 1, JSON.stringify(list).slice(0, 300));
  const out = await app.call('logout', {});
  check('signing out empties the replica', out.result?.signedIn === false && out.result.pending === 0, JSON.stringify(out));
  check('no page errors', app.errors.length === 0, app.errors.join('\n'));
} catch (e) {
  check('the test ran to the end', false, e.stack || String(e));
} finally {
  await context.close();
  origin.close();
  await server.stop();
  fs.rmSync(profile, { recursive: true, force: true });
}
finish();
