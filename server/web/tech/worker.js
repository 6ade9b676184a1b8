// The technician app's dedicated Web Worker: runs the C++ device core (libfieldsync + libfieldmobile compiled to
// WebAssembly, /tech/core/fieldmobile-core.js) over a replica in the origin-private file system, and answers the
// page's requests {id, method, params} with {id, result} or {id, error: {code, message, field}} (the protocol:
// README "Technician app"). Requests run one at a time, in order; a write answers once it is on disk.
'use strict';

importScripts('/tech/core/fieldmobile-core.js');

const FOLDER = 'fieldmobile';
const REPLICA = `/${FOLDER}/replica.db`;
const FILES = `${REPLICA}.files`;  // attachment bytes by SHA-256, as the core keeps them next to the replica
const ERROR_SIZE = 644;             // sizeof(fr_error): code, message[512], field[128]

let core = null;       // the emscripten module
let replica = 0;       // fr_replica*
let client = 0;        // fr_sync_client*
let server = '';       // the page's origin
let folder = null;     // the OPFS folder of the replica
let handles = [];      // {path, handle}: the FileSystemSyncAccessHandles the core's VFS reads and writes
const saved = new Set();    // attachment files this device added, in OPFS by SHA-256
const cached = new Set();   // files read from the server (the customer's photos), kept in OPFS for offline use
const caching = new Map();  // SHA-256 → the download under way
let lastError = null;
let retryAfterMs = 0;  // the server's last Retry-After, for the next retry of a sync

// Waits between attempts are timers, never a loop in the core: the worker has no threads to sleep on.
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 30_000;
const LIVE_BASE_MS = 500;
const LIVE_MAX_MS = 30_000;
const HEARTBEAT_MISSES = 3;  // heartbeat intervals of silence that mean a dead link

class CoreError extends Error {
  constructor(code, message, field) {
    super(message);
    this.code = code;
    this.field = field || undefined;
  }
}

// ---- calling the C API

function withStrings(values, body) {
  const pointers = values.map((v) => {
    if (v === null || v === undefined) return 0;
    const text = String(v);
    const size = core.lengthBytesUTF8(text) + 1;
    const p = core._malloc(size);
    core.stringToUTF8(text, p, size);
    return p;
  });
  try {
    return body(pointers);
  } finally {
    for (const p of pointers) if (p) core._free(p);
  }
}

// Calls fr_<name>(...args, &error); string arguments are copied in, numbers passed as they are. Returns the raw result,
// or throws the core's error when it reports one (NULL or false).
function raw(name, args) {
  const strings = args.map((a) => (typeof a === 'number' ? null : a));
  const error = core._malloc(ERROR_SIZE);
  try {
    return withStrings(strings, (pointers) => {
      const values = args.map((a, i) => (typeof a === 'number' ? a : pointers[i]));
      const result = core[`_fr_${name}`](...values, error);
      if (!result) {
        const code = core.UTF8ToString(core._fr_error_code_name(core.getValue(error, 'i32')));
        throw new CoreError(code, core.UTF8ToString(error + 4), core.UTF8ToString(error + 516));
      }
      return result;
    });
  } finally {
    core._free(error);
  }
}

function text(name, ...args) {
  const p = raw(name, args);
  const out = core.UTF8ToString(p);
  core._fr_free_string(p);
  return out;
}

function json(name, ...args) { return JSON.parse(text(name, ...args)); }

// Copies bytes into the core's memory for the length of body(pointer).
function withBytes(bytes, body) {
  const p = core._malloc(Math.max(1, bytes.length));
  core.HEAPU8.set(bytes, p);
  try {
    return body(p);
  } finally {
    core._free(p);
  }
}

// ---- the network: synchronous XMLHttpRequest, allowed in a dedicated worker, so the core can stay synchronous

function httpSend({ method, target, body, contentType, bearer }) {
  const xhr = new XMLHttpRequest();
  try {
    xhr.open(method, server + target, false);
    xhr.responseType = 'arraybuffer';
    xhr.timeout = 60_000;  // a request that hangs counts as no answer; the work stays queued
    xhr.setRequestHeader('Accept', 'application/json');
    if (bearer) xhr.setRequestHeader('Authorization', `Bearer ${bearer}`);
    const hasBody = body.length > 0 || method === 'POST' || method === 'PUT';
    if (hasBody) xhr.setRequestHeader('Content-Type', contentType || 'application/json');
    xhr.send(hasBody ? body : null);
  } catch (e) {
    lastError = `cannot reach the server: ${e.message}`;
    return null;
  }
  if (xhr.status === 0) return null;
  retryAfterMs = (parseInt(xhr.getResponseHeader('Retry-After') || '0', 10) || 0) * 1000;
  return {
    status: xhr.status,
    body: new Uint8Array(xhr.response || new ArrayBuffer(0)),
    retryAfter: parseInt(xhr.getResponseHeader('Retry-After') || '0', 10) || 0,
  };
}

// ---- the files in OPFS

// The replica and its rollback journal: the access handles must exist before SQLite opens the files (creating one
// is asynchronous). Only one tab can hold them, which keeps a second tab from writing the same replica.
async function openHandles() {
  if (!navigator.storage || !navigator.storage.getDirectory)
    throw new CoreError('unavailable', 'this browser has no origin-private file system to keep the replica in');
  const root = await navigator.storage.getDirectory();
  folder = await root.getDirectoryHandle(FOLDER, { create: true });
  const out = [];
  try {
    for (const name of ['replica.db', 'replica.db-journal']) {
      const file = await folder.getFileHandle(name, { create: true });
      out.push({ path: `/${FOLDER}/${name}`, handle: await file.createSyncAccessHandle() });
    }
  } catch (e) {
    for (const h of out) h.handle.close();
    throw new CoreError('unavailable', `the replica is in use (is the app open in another tab?): ${e.message}`);
  }
  return out;
}

async function attachmentFolder() { return folder.getDirectoryHandle('replica.db.files', { create: true }); }

// At open only the names of the files in OPFS are read; bytes come into memory when viewed (readAttachment) or, for
// a file the server still waits for, just before a sync (loadWaitingUploads), and leave once uploaded.
async function listAttachmentFiles() {
  core.FS.mkdirTree(FILES);
  const dir = await attachmentFolder();
  for await (const [name, entry] of dir.entries()) if (entry.kind === 'file') saved.add(name);
  const downloaded = await serverFolder();
  for await (const [name, entry] of downloaded.entries()) if (entry.kind === 'file') cached.add(name);
}

async function serverFolder() { return folder.getDirectoryHandle('server.files', { create: true }); }

async function readOpfs(dir, name) {
  const file = await (await dir.getFileHandle(name)).getFile();
  return new Uint8Array(await file.arrayBuffer());
}

const inMemory = (sha) => core.FS.analyzePath(`${FILES}/${sha}`).exists;

// fr_upload_progress on wasm32: uploaded_bytes, total_bytes, files_waiting (int64 each, little-endian).
function uploadWaiting(attachmentId) {
  const progress = core._malloc(24);
  try {
    raw('replica_get_upload_progress', [replica, attachmentId, progress]);
    return core.getValue(progress + 16, 'i32') > 0;
  } finally {
    core._free(progress);
  }
}

// The device's own files the server has not all taken yet: the core reads them from its memory file system.
async function loadWaitingUploads() {
  const rows = json('replica_list_rows', replica, 'attachments', null);
  const dir = await attachmentFolder();
  for (const row of rows) {
    if (!saved.has(row.sha256) || inMemory(row.sha256) || !uploadWaiting(row.id)) continue;
    core.FS.writeFile(`${FILES}/${row.sha256}`, await readOpfs(dir, row.sha256));
  }
}

// Frees the memory of files the server now has; OPFS keeps them for viewing.
function dropUploaded() {
  for (const row of json('replica_list_rows', replica, 'attachments', null))
    if (saved.has(row.sha256) && inMemory(row.sha256) && !uploadWaiting(row.id)) core.FS.unlink(`${FILES}/${row.sha256}`);
}

// Copies attachment files the core added to OPFS and flushes them, before the request that added them answers.
async function saveAttachments() {
  const names = core.FS.readdir(FILES).filter((n) => n !== '.' && n !== '..' && !n.endsWith('.partial'));
  const fresh = names.filter((n) => !saved.has(n));
  if (!fresh.length) return;
  const dir = await attachmentFolder();
  for (const name of fresh) {
    const bytes = core.FS.readFile(`${FILES}/${name}`);
    const handle = await (await dir.getFileHandle(name, { create: true })).createSyncAccessHandle();
    try {
      handle.truncate(0);
      handle.write(bytes, { at: 0 });
      handle.flush();
    } finally {
      handle.close();
    }
    saved.add(name);
  }
}

// ---- status

function status() {
  const s = replica ? json('replica_get_status', replica) : {};
  return {
    signedIn: !!s.signed_in,
    username: s.username || null,
    displayName: s.display_name || null,
    deviceId: s.device_id || null,
    online: navigator.onLine,
    pending: s.pending || 0,
    conflicts: s.conflicts || 0,
    lastSyncAt: s.last_sync_at || null,
    lastError,
  };
}

function announce() { self.postMessage({ event: 'status', status: status() }); }

// ---- the methods

function openCore() {
  core.opfsFiles = handles;
  if (core._fr_wasm_use_opfs() !== 0) throw new CoreError('internal', 'cannot register the OPFS file system');
  replica = raw('replica_open', [REPLICA]);
  client = raw('wasm_sync_client_open', [replica]);
}

function closeCore() {
  if (client) core._fr_sync_client_close(client, 0);
  if (replica) core._fr_replica_close(replica, 0);
  client = 0;
  replica = 0;
}

async function open({ server: origin } = {}) {
  server = origin || self.location.origin;
  if (replica) return status();
  core = await createFieldmobileCore({
    locateFile: (name) => `/tech/core/${name}`,
    httpSend,
  });
  handles = await openHandles();
  openCore();
  await listAttachmentFiles();
  return status();
}

// A closed page's worker lets go of the replica's files at once, so the next page can open them without waiting.
function close() {
  stopLive();
  closeCore();
  for (const h of handles) h.handle.close();
  handles = [];
  return true;
}

function requireOpen() {
  if (!replica) throw new CoreError('unavailable', 'open the replica first (open)');
}

// Signing out empties the replica (another technician may take the tablet); work not yet sent stays unless forced.
async function logout({ force } = {}) {
  requireOpen();
  const pending = status().pending;
  if (pending > 0 && !force)
    throw new CoreError('pending_work', `${pending} changes have not reached the server yet: sync first`);
  stopLive();
  closeCore();
  for (const h of handles) {
    h.handle.truncate(0);
    h.handle.flush();
  }
  await folder.removeEntry('replica.db.files', { recursive: true }).catch(() => {});
  await folder.removeEntry('server.files', { recursive: true }).catch(() => {});
  for (const name of core.FS.readdir(FILES)) if (name !== '.' && name !== '..') core.FS.unlink(`${FILES}/${name}`);
  saved.clear();
  cached.clear();
  lastError = null;
  openCore();
  return status();
}

async function sync() {
  requireOpen();
  if (!navigator.onLine) throw new CoreError('unavailable', 'offline: the changes stay queued');
  await loadWaitingUploads();
  try {
    const report = json('sync_client_sync', client);
    lastError = null;
    retry.delay = RETRY_BASE_MS;
    reconnectLive();
    if (report.pulled > 0 || report.pushed > 0) self.postMessage({ event: 'changed' });
    cacheServerFiles().catch(() => {});
    return report;
  } catch (e) {
    lastError = e.message;
    if (e.code === 'unavailable') retryLater();
    throw e;
  } finally {
    dropUploaded();
  }
}

// ---- retries and the live channel: both only schedule a sync; the core never waits. The live channel opens after a
// sync succeeded (the page syncs at start, after sign-in and when the network returns) and closes when offline.

const retry = { delay: RETRY_BASE_MS, timer: 0 };

// After a sync the server could not take: again after a backoff with jitter (or its Retry-After), while online.
function retryLater() {
  if (retry.timer || !navigator.onLine) return;
  const wait = Math.max(retryAfterMs, Math.random() * retry.delay);
  retry.delay = Math.min(RETRY_MAX_MS, retry.delay * 2);
  retry.timer = setTimeout(() => { retry.timer = 0; syncSoon(); }, wait);
}

let syncQueued = false;

// One sync in the request queue, however many announcements arrive before it runs.
function syncSoon() {
  if (syncQueued || !replica) return;
  syncQueued = true;
  enqueue(async () => {
    syncQueued = false;
    if (!replica || !status().signedIn || !navigator.onLine) return;
    await sync().catch(() => {});
    announce();
  });
}

const live = { controller: null, delay: LIVE_BASE_MS, timer: 0 };

function startLive() {
  if (live.controller || live.timer || !replica || !navigator.onLine || !status().signedIn) return;
  listen(new AbortController());
}

// The server answered: a live channel waiting out its backoff connects now.
function reconnectLive() {
  live.delay = LIVE_BASE_MS;
  if (live.timer) {
    clearTimeout(live.timer);
    live.timer = 0;
  }
  startLive();
}

function stopLive() {
  if (live.controller) live.controller.abort();
  live.controller = null;
  clearTimeout(live.timer);
  live.timer = 0;
}

// One SSE block "event: x\ndata: {...}" (docs/sync-protocol.md §6.6); comments (heartbeats) have no event.
function eventOf(block) {
  const out = { event: '', data: '' };
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) out.event = line.slice(6).trim();
    else if (line.startsWith('data:')) out.data += line.slice(5).trim();
  }
  return out;
}

// GET /api/v1/sync/live with the device token (EventSource cannot send one): a sync on each hello and change;
// reconnects with backoff (half fixed, half random; reset by a hello) and treats a silent link as dead.
async function listen(controller) {
  live.controller = controller;
  let heartbeatMs = 25_000;
  let watchdog = 0;
  const watch = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => controller.abort(), heartbeatMs * HEARTBEAT_MISSES);
  };
  try {
    watch();
    const response = await fetch(`${server}/api/v1/sync/live`, { cache: 'no-store', signal: controller.signal,
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${text('replica_get_state', replica, 'device_token')}` } });
    if (!response.ok || !response.body) throw new Error(`live: HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      watch();
      buffer = (buffer + value).replace(/\r\n/g, '\n');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const event = eventOf(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event.event === 'hello') {
          live.delay = LIVE_BASE_MS;
          heartbeatMs = (JSON.parse(event.data).heartbeat_seconds || 25) * 1000;
        }
        if (event.event === 'hello' || event.event === 'change') syncSoon();
      }
    }
  } catch (e) {
    // Aborted, the network went or the token was refused: the reconnect below decides.
  } finally {
    clearTimeout(watchdog);
  }
  if (live.controller !== controller) return;  // stopped meanwhile
  live.controller = null;
  const wait = live.delay / 2 + Math.random() * (live.delay / 2);
  live.delay = Math.min(LIVE_MAX_MS, live.delay * 2);
  live.timer = setTimeout(() => { live.timer = 0; startLive(); }, wait);
}

// ---- attachment bytes from the server

async function download(row) {
  const response = await fetch(`${server}/api/v1/attachments/${row.sha256}/content`, { cache: 'no-store',
    headers: { Authorization: `Bearer ${text('replica_get_state', replica, 'device_token')}` } });
  if (response.status === 404) throw new CoreError('not_found', `the server has no file for attachment ${row.id}`);
  if (!response.ok) throw new CoreError('unavailable', `the server answered ${response.status} for the file`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const handle = await (await (await serverFolder()).getFileHandle(row.sha256, { create: true })).createSyncAccessHandle();
  try {
    handle.truncate(0);
    handle.write(bytes, { at: 0 });
    handle.flush();
  } finally {
    handle.close();
  }
  cached.add(row.sha256);
  return bytes;
}

// One download per file at a time, shared by a view and the prefetch.
function fetchServerFile(row) {
  if (!caching.has(row.sha256))
    caching.set(row.sha256, download(row).finally(() => caching.delete(row.sha256)));
  return caching.get(row.sha256);
}

// Whether the job is on this device and not finished.
function jobOpen(id) {
  try {
    return !TERMINAL.includes(json('replica_get_row', replica, 'jobs', id).state);
  } catch (e) {
    if (e.code === 'not_found') return false;
    throw e;
  }
}

// The files of the technician's open jobs that other people added (the customer's photos), so they can be viewed
// offline; in the background, one at a time, after a sync. Only the jobs of files not kept yet are read: the list of
// all jobs costs about a second per 13,000 (fieldrepair-bench browser-bootstrap), and the sync's answer waits for this.
async function cacheServerFiles() {
  const open = new Map();  // job id → jobOpen
  const isOpen = (id) => {
    if (!open.has(id)) open.set(id, jobOpen(id));
    return open.get(id);
  };
  const wanted = json('replica_list_rows', replica, 'attachments', null)
    .filter((a) => !saved.has(a.sha256) && !cached.has(a.sha256) && a.job_id && isOpen(a.job_id));
  for (const row of wanted) {
    if (!replica || !navigator.onLine) return;
    await fetchServerFile(row).catch(() => {});
  }
}

async function readAttachment({ id }) {
  requireOpen();
  const row = json('replica_get_row', replica, 'attachments', id);
  const type = row.content_type || 'application/octet-stream';
  let bytes;
  if (inMemory(row.sha256)) bytes = core.FS.readFile(`${FILES}/${row.sha256}`).slice();
  else if (saved.has(row.sha256)) bytes = await readOpfs(await attachmentFolder(), row.sha256);
  else if (cached.has(row.sha256)) bytes = await readOpfs(await serverFolder(), row.sha256);
  else if (!navigator.onLine) throw new CoreError('unavailable', 'the file is on the server, which cannot be reached now');
  else bytes = await fetchServerFile(row);
  return { bytes: bytes.slice().buffer, type };
}

async function addAttachment({ jobId, kind, bytes, name, caption }) {
  requireOpen();
  const data = new Uint8Array(bytes);
  const id = withBytes(data, (p) => text('replica_add_attachment_bytes', replica, jobId, kind, p, data.length, null,
    name, caption ?? null));
  await saveAttachments();
  return json('replica_get_row', replica, 'attachments', id);
}

// fr_acceptance on wasm32: signer_name, signature_png, signature_png_size, signature_path, strokes_json, rating,
// comment, 4 bytes each.
async function recordAcceptance({ jobId, signerName, signaturePng, strokes, rating, comment }) {
  requireOpen();
  const png = new Uint8Array(signaturePng);
  const strokesJson = strokes === undefined || strokes === null ? null
    : (typeof strokes === 'string' ? strokes : JSON.stringify(strokes));
  const opId = withStrings([signerName, strokesJson, comment ?? null], ([name, strokesP, commentP]) =>
    withBytes(png, (pngP) => {
      const acceptance = core._malloc(28);
      try {
        const fields = [name, pngP, png.length, 0, strokesP, rating | 0, commentP];
        fields.forEach((v, i) => core.setValue(acceptance + 4 * i, v, 'i32'));
        return text('replica_record_acceptance', replica, jobId, acceptance);
      } finally {
        core._free(acceptance);
      }
    }));
  await saveAttachments();
  return opId;
}

function query({ name, params = {} }) {
  requireOpen();
  if (name !== 'rows') throw new CoreError('invalid_field', `no query named ${name}`, 'name');
  return json('replica_list_rows', replica, params.table, params.job_id ?? null);
}

const TERMINAL = ['accepted', 'closed', 'cancelled', 'returned'];

const fieldsText = (fields) => (fields === undefined || fields === null ? null : JSON.stringify(fields));

const methods = {
  open,
  close,
  status: () => status(),
  login: ({ username, password }) => {
    requireOpen();
    raw('sync_client_login', [client, username, password]);
    lastError = null;
    return status();
  },
  logout,
  sync,
  listJobs: ({ mine } = {}) => (requireOpen(), json('replica_list_jobs', replica, mine ? 1 : 0)),
  getRow: ({ table, id }) => (requireOpen(), json('replica_get_row', replica, table, id)),
  query,
  takeAction: ({ jobId, action, fields }) =>
    (requireOpen(), text('replica_take_action', replica, jobId, action, fieldsText(fields))),
  insertRow: ({ table, fields }) => (requireOpen(), text('replica_insert_row', replica, table, fieldsText(fields))),
  updateRow: ({ table, id, fields }) =>
    (requireOpen(), text('replica_update_row', replica, table, id, fieldsText(fields))),
  listOutbox: () => (requireOpen(), json('replica_list_outbox', replica)),
  listConflicts: () => (requireOpen(), json('replica_list_conflicts', replica)),
  addAttachment,
  listAttachments: ({ jobId }) => (requireOpen(), json('replica_list_attachments', replica, jobId)),
  readAttachment,
  jobSummary: ({ jobId }) => (requireOpen(), json('replica_get_job_summary', replica, jobId)),
  recordAcceptance,
  workflow: () => {
    if (!core) throw new CoreError('unavailable', 'open the replica first (open)');
    return json('workflow_json');
  },
};

// Methods whose answer changes what the status bar shows.
const changing = new Set(['open', 'login', 'logout', 'sync', 'takeAction', 'insertRow', 'updateRow', 'addAttachment',
  'recordAcceptance']);

function errorOf(e) {
  if (e instanceof CoreError) return { code: e.code, message: e.message, field: e.field };
  return { code: 'internal', message: String((e && e.message) || e) };
}

let queue = Promise.resolve();
function enqueue(job) { queue = queue.then(job); }

self.addEventListener('message', (event) => {
  const { id, method, params } = event.data || {};
  enqueue(async () => {
    const f = methods[method];
    try {
      if (!f) throw new CoreError('invalid_field', `no method ${method}`, 'method');
      const result = await f(params || {});
      const transfer = method === 'readAttachment' ? [result.bytes] : [];
      self.postMessage({ id, result }, transfer);
    } catch (e) {
      self.postMessage({ id, error: errorOf(e) });
    }
    if (changing.has(method) && replica) announce();
  });
});

self.addEventListener('online', () => { if (replica) announce(); });
self.addEventListener('offline', () => {
  if (!replica) return;
  stopLive();
  announce();
});
