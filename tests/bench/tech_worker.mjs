// The technician app's worker in headless Chromium, for the benchmarks (tech_app.mjs, tech_bootstrap.mjs): Chromium
// trusting the test server's certificate, a page on the server's origin running the worker, and the renderer
// processes' memory and CPU time from /proc.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const { chromium } = createRequire(new URL('../browser/package.json', import.meta.url))('playwright-core');
const TICK = 100;  // clock ticks per second in /proc/<pid>/stat (Linux)

// Headless Chromium's arguments to trust the certificate ca (PEM) by its public key's hash and no other: the app's
// service worker and OPFS need a secure origin.
function trusting(ca) {
  const spki = crypto.createHash('sha256')
    .update(new crypto.X509Certificate(ca).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return { executablePath: process.env.FIELDREPAIR_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', `--ignore-certificate-errors-spki-list=${spki}`] };
}

// Headless Chromium trusting ca; its browser.newContext() contexts are off the record (OPFS in memory).
export async function launchTrusting(ca) { return chromium.launch(trusting(ca)); }

// Headless Chromium trusting ca with a fresh profile folder on disk, so OPFS is on disk and a flush reaches it as on a
// tablet; close() removes the folder.
export async function launchProfile(ca) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldrepair-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, trusting(ca));
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

// The renderer processes under a process (Chromium is a child of this one): resident set and its peak (KiB, summed)
// and CPU time (s); allCpuS: the CPU time of every process under it (Chromium's browser, network and GPU processes too).
export function renderers(rootPid) {
  const children = new Map();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(pid));
    } catch { /* gone meanwhile */ }
  }
  const out = { rssKiB: 0, peakKiB: 0, cpuS: 0, allCpuS: 0 };
  const walk = (pid) => {
    for (const child of children.get(pid) || []) {
      try {
        const fields = fs.readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1].split(' ');
        const cpu = (Number(fields[11]) + Number(fields[12])) / TICK;
        out.allCpuS += cpu;
        if (fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('--type=renderer')) {
          const status = fs.readFileSync(`/proc/${child}/status`, 'utf8');
          out.rssKiB += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] || 0);
          out.peakKiB += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] || 0);
          out.cpuS += cpu;
        }
      } catch { /* gone meanwhile */ }
      walk(child);
    }
  };
  walk(rootPid);
  return out;
}

// A worker on a same-origin page, from the server (the current script) or from a file (an older one, whose core may
// come from an older build's folder `core`). Returns {page, worker (Playwright's handle), call(method, params)}.
export async function workerPage(context, url, { file = null, core = null } = {}) {
  const page = await context.newPage();
  await page.goto(`${url}/tech/icon.svg`);
  let source = file ? fs.readFileSync(file, 'utf8').replace(/(['`])\/tech\/core\//g, `$1${url}/tech/core/`) : null;
  if (source && core) {
    // The older core as blob URLs: its script by importScripts, its wasm by locateFile.
    const [js, wasm] = await page.evaluate(([code, bytes]) => [
      URL.createObjectURL(new Blob([code], { type: 'text/javascript' })),
      URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'application/wasm' }))],
    [fs.readFileSync(`${core}/fieldmobile-core.js`, 'utf8'), [...fs.readFileSync(`${core}/fieldmobile-core.wasm`)]]);
    source = source.replace(`importScripts('${url}/tech/core/fieldmobile-core.js')`, `importScripts('${js}')`)
      .replace(/locateFile: \(name\) => `[^`]*`/, `locateFile: () => '${wasm}'`);
  }
  const created = page.waitForEvent('worker');
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
  return { page, worker: await created, call };
}

// The result of a call that must succeed.
export async function must(w, method, params = {}) {
  const r = await w.call(method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result;
}

// Opens the replica, waiting while a closed page's worker still holds it.
export async function openReplica(w, url) {
  for (let i = 0; i < 100; i += 1) {
    const r = await w.call('open', { server: url });
    if (!r.error) return r.result;
    if (r.error.code !== 'unavailable') throw new Error(JSON.stringify(r.error));
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the replica stayed in use');
}

export async function release(w) {
  await w.call('close');  // an older worker has no close: terminating it lets go of the files
  await w.page.evaluate(() => window.stop());
  await w.page.close();
}
