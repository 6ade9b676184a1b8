// The page's side of the worker protocol (docs: /work/wt/notes/TECH_CONTRACT.md, README "Technician app"): each
// method of the C++ device core running in /tech/worker.js becomes a promise; the worker's events reach listeners.

export class CoreError extends Error {
  constructor(error) {
    super(error?.message || String(error?.code || 'error'));
    Object.assign(this, { code: error?.code || 'internal', field: error?.field || null });
  }
}

export class CoreClient {
  constructor(url = '/tech/worker.js') {
    this.worker = new Worker(url);
    this.next_id = 1;
    this.waiting = new Map();
    this.listeners = { status: [], changed: [] };
    this.worker.addEventListener('message', (e) => this.receive(e.data));
    // A worker that fails to load (a script missing from the cache) fails every call instead of hanging it.
    this.worker.addEventListener('error', (e) => {
      for (const { reject } of this.waiting.values()) reject(new CoreError({ code: 'unavailable', message: e.message || 'the core failed to load' }));
      this.waiting.clear();
    });
  }

  receive(data) {
    if (data?.event) {
      for (const f of this.listeners[data.event] || []) f(data.status ?? data);
      return;
    }
    const call = this.waiting.get(data?.id);
    if (!call) return;
    this.waiting.delete(data.id);
    if (data.error) call.reject(new CoreError(data.error));
    else call.resolve(data.result);
  }

  on(event, f) { (this.listeners[event] ||= []).push(f); }

  terminate() { this.worker.terminate(); }

  // Sends one request; ArrayBuffers in params are transferred, not copied.
  call(method, params = {}, transfer = []) {
    const id = this.next_id++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, params }, transfer);
    });
  }

  open(server) { return this.call('open', { server }); }
  // Lets go of the replica's files (the page is going away), so the next page opens them at once.
  close() { return this.call('close'); }
  status() { return this.call('status'); }
  login(username, password) { return this.call('login', { username, password }); }
  logout(force = false) { return this.call('logout', { force }); }
  sync() { return this.call('sync'); }
  listJobs(mine = true) { return this.call('listJobs', { mine }); }
  getRow(table, id) { return this.call('getRow', { table, id }); }
  // Every visible row of a synced table, only the job's when job_id is given.
  rows(table, job_id) { return this.call('query', { name: 'rows', params: job_id ? { table, job_id } : { table } }); }
  takeAction(jobId, action, fields) { return this.call('takeAction', { jobId, action, fields }); }
  insertRow(table, fields) { return this.call('insertRow', { table, fields }); }
  updateRow(table, id, fields) { return this.call('updateRow', { table, id, fields }); }
  listOutbox() { return this.call('listOutbox'); }
  listConflicts() { return this.call('listConflicts'); }
  addAttachment(jobId, kind, bytes, name) { return this.call('addAttachment', { jobId, kind, bytes, name }, [bytes]); }
  listAttachments(jobId) { return this.call('listAttachments', { jobId }); }
  readAttachment(id) { return this.call('readAttachment', { id }); }
  jobSummary(jobId) { return this.call('jobSummary', { jobId }); }
  recordAcceptance({ jobId, signerName, signaturePng, strokes, rating, comment }) {
    return this.call('recordAcceptance', { jobId, signerName, signaturePng, strokes, rating, comment }, [signaturePng]);
  }
  workflow() { return this.call('workflow'); }
}
