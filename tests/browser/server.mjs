// Starts the real fieldrepair-server for the browser tests and the board benchmark (fresh data folder, demo
// data, free loopback port) and talks HTTPS to it, trusting the server's own certificate.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

export const ADMIN_PASSWORD = 'admin-password-1';
export const DEMO_PASSWORD = 'demo-password-1';

export async function start_server(binary, extra_env = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldrepair-browser-'));
  const ready = path.join(dir, 'ready');
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const env = {
    ...process.env,
    FIELDREPAIR_LISTEN: '127.0.0.1:0', FIELDREPAIR_DATA_DIR: dir, FIELDREPAIR_READY_FILE: ready,
    FIELDREPAIR_DATABASE: path.join(dir, 'fieldrepair.db'), FIELDREPAIR_ADMIN_PASSWORD: ADMIN_PASSWORD,
    FIELDREPAIR_DEMO: 'true', FIELDREPAIR_DEMO_PASSWORD: DEMO_PASSWORD, FIELDREPAIR_PBKDF2_ITERATIONS: '2000',
    FIELDREPAIR_LOG_LEVEL: 'warning', ...extra_env,
  };
  const child = spawn(binary, [], { cwd: dir, env, stdio: ['ignore', log, log] });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}):\n${read_log(dir)}`);
    if (fs.existsSync(ready)) {
      const [url, cert] = fs.readFileSync(ready, 'utf8').split('\n').map((l) => l.trim());
      if (cert) {
        const ca = fs.readFileSync(path.isAbsolute(cert) ? cert : path.join(dir, cert));
        return new Server(child, dir, url.replace('localhost', '127.0.0.1'), ca);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  throw new Error(`the server did not start within 120 s:\n${read_log(dir)}`);
}

function read_log(dir) {
  try { return fs.readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-4000); } catch { return '(no log)'; }
}

class Server {
  constructor(child, dir, url, ca) {
    Object.assign(this, { child, dir, url, ca });
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 16 });
  }

  // {status, json, headers} of one request; body is sent as JSON.
  request(method, route, { token, body } = {}) {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (data) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': data.length });
    return new Promise((resolve, reject) => {
      const req = https.request(`${this.url}${route}`, { method, headers, agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
          resolve({ status: res.statusCode, json, text, headers: res.headers });
        });
      });
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  // The JSON of a request that must answer with status (200 unless given).
  async must(method, route, options = {}, status = 200) {
    const res = await this.request(method, route, options);
    if (res.status !== status) throw new Error(`${method} ${route}: ${res.status}, wanted ${status}: ${res.text.slice(0, 400)}`);
    return res.json;
  }

  async login(username, password = DEMO_PASSWORD) {
    return (await this.must('POST', '/api/v1/auth/login', { body: { username, password } })).token;
  }

  log() { return read_log(this.dir); }

  async stop() {
    this.agent.destroy();
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Headless Chromium from Debian with a fresh profile folder; the server's self-signed certificate is accepted.
export async function launch_browser(chromium, options = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldrepair-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.FIELDREPAIR_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    ignoreHTTPSErrors: true,
    viewport: { width: 1440, height: 900 },
    ...options,
  });
  // FIELDREPAIR_BROWSER_API_DELAY_MS=300 holds each API request up to that long (at random), as a loaded server
  // would: a test that reads the page before the answer it needs has arrived then fails every time, not 1 run in 6.
  const delay = Number(process.env.FIELDREPAIR_BROWSER_API_DELAY_MS || 0);
  if (delay > 0) {
    await context.route('**/api/**', async (route) => {
      await new Promise((done) => setTimeout(done, Math.random() * delay));
      await route.continue();
    });
  }
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}
