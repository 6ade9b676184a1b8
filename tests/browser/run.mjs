// Browser tests of the dispatcher board and the customer portal in real headless Chromium, against the real
// server binary. Usage: node run.mjs <fieldrepair-server> [<screenshot folder>]
// Prints one line per check and a last line "N passed, M failed"; exits non-zero on any failure.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { start_server, launch_browser, DEMO_PASSWORD } from './server.mjs';
import { check, scenario, settles, after_toast, box_of, any_failed, finish } from './checks.mjs';

const [binary, shots = path.resolve('build/screenshots')] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node run.mjs <fieldrepair-server> [<screenshot folder>]');
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });

const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const TIME_ZONE = 'Asia/Shanghai';
// A weekday three weeks ahead in Shanghai (YYYY-MM-DD): inside working hours and clear of the demo's bookings.
function future_weekday() {
  const d = new Date(Date.now() + 21 * 86_400_000);
  while ([0, 6].includes(new Date(d.toLocaleString('en-US', { timeZone: TIME_ZONE })).getDay())) d.setTime(d.getTime() + 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(d);
}

// A UUIDv7 (time-ordered), as devices make op ids.
function uuid_v7() {
  const b = crypto.randomBytes(16);
  b.writeUIntBE(Date.now(), 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// Signs in on the board page as username and waits until the board is ready.
async function board_login(page, username, password = DEMO_PASSWORD) {
  await page.goto(`${server.url}/board/`);
  await page.fill('#login input[name=username]', username);
  await page.fill('#login input[name=password]', password);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForSelector(TIMELINE_READY);
}

// Shows day (YYYY-MM-DD) on the board's timeline and waits until its lanes hold that day.
async function board_day(page, day) {
  await page.fill('.timeline input[type=date]', day);
  await page.locator('.timeline input[type=date]').dispatchEvent('change');
  await page.waitForSelector(TIMELINE_READY);
}
const TIMELINE_READY = '#technicians:not([aria-busy])';

const plan = (cost = 280) => ({
  findings: '排水泵堵塞 drain pump blocked', warranty_covered: false, customer_caused: false, fault_category: '洗衣机',
  plan: { mode: 'on_site', cost_to_customer: cost, items: [
    { kind: 'part', description: '排水泵 drain pump', part_no: 'DP-100', quantity: 1, unit_price: 180 },
    { kind: 'labour', description: '上门工时 labour', quantity: 1, unit_price: 100 }] },
});

const server = await start_server(binary);
const { context, close } = await launch_browser(chromium, { locale: 'zh-CN', timezoneId: TIME_ZONE });
try {
  const admin = await server.login('admin', 'admin-password-1');
  const dispatcher = await server.login('dispatcher');
  const li = await server.login('tech.li');
  const users = (await server.must('GET', '/api/v1/users?role=technician', { token: admin })).items;
  const tech = Object.fromEntries(users.map((u) => [u.username, u]));
  const act = (token, id, action, body) => server.must('POST', `/api/v1/jobs/${id}/actions/${action}`, { token, body });
  const job = (id, token = dispatcher) => server.must('GET', `/api/v1/jobs/${id}`, { token });

  let portal_a = null;  // customer A's ticket, job and portal token, from the portal scenario

  await scenario('a dispatcher drags a job onto a technician and sees it scheduled', async () => {
    // An approved on-site job of the demo customer, assessed by tech.li; the dispatcher books it with tech.zhang.
    const liu = await server.login('customer.liu');
    const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
    const asset = (await server.must('GET', '/api/v1/assets?q=EG100', { token: liu })).items[0];
    const made = await server.must('POST', '/api/v1/jobs', { token: dispatcher, body: {
      customer_id: me.customer_id, asset_id: asset.id, description: '洗衣机不排水，显示E21 (board test)', priority: 'urgent' } }, 201);
    await act(dispatcher, made.id, 'assign', { technician_id: tech['tech.li'].id });
    await act(li, made.id, 'submit_assessment', plan());
    await act(dispatcher, made.id, 'approve_plan', { plan_version: 1 });

    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/board/`);
    await page.fill('#login input[name=username]', 'dispatcher');
    await page.fill('#login input[name=password]', DEMO_PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('body[data-ready=true]');
    check('the board shows the queue after login', await page.locator('#queue .job[data-job-id]').count() > 0);
    const day = future_weekday();
    await board_day(page, day);
    await page.fill('input[name=q]', made.ticket_no);
    const row = page.locator(`#queue .job[data-job-id="${made.id}"]`);
    await row.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#queue .job[data-job-id]').length === 1, null, { timeout: 5000 })
      .catch(() => {});
    check('searching the queue finds the job by ticket number', await page.locator('#queue .job[data-job-id]').count() === 1);
    const lane_at = `.tech[data-tech-name="${tech['tech.zhang'].name}"] .lane`;
    const lane = page.locator(lane_at);
    const box = await box_of(page, lane_at);
    // 10:00 on a 07:00–21:00 lane.
    await row.dragTo(lane, { targetPosition: { x: box.width * (3 / 14) + 2, y: box.height / 2 } });
    await page.waitForSelector('#toast:not([hidden])');
    const toast = await page.textContent('#toast');
    check('the board confirms the booking', toast.includes(made.ticket_no) && toast.includes(tech['tech.zhang'].name), toast);
    const after = await job(made.id);
    check('the API shows the job scheduled', after.state === 'scheduled', after.state);
    check('the API shows the dropped technician as assignee', after.assignee_id === tech['tech.zhang'].id, after.assignee_name);
    const start = new Date(after.schedule?.window_start);
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(start);
    check('the visit starts where the job was dropped (10:00 local on the chosen day)', local === `${day}, 10:00`, local);
    const visit = page.locator(`.tech[data-tech-name="${tech['tech.zhang'].name}"] .visit[data-job-id="${made.id}"]`);
    const shown = await settles(visit.waitFor({ timeout: 10_000 }));
    check('the timeline shows the visit on the technician’s day', shown && (await visit.textContent()).startsWith('10:00'),
      shown ? await visit.textContent() : 'no visit');
    const load = page.locator(`.tech[data-tech-name="${tech['tech.zhang'].name}"] .name small`);
    await page.waitForFunction((name) => document.querySelector(`.tech[data-tech-name="${name}"] .name small`)?.textContent.includes('已约 1/'),
      tech['tech.zhang'].name, { timeout: 10_000 }).catch(() => {});
    check('the technician’s load counts the new booking without a reload', (await load.textContent()).includes('已约 1/'),
      await load.textContent());
    await page.fill('input[name=q]', '');
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(shots, 'board.png') });
    check('the board page ran without script errors', errors.length === 0, errors.join('; '));
    await page.close();
  });

  await scenario('a conflict from a technician’s device shows on the board and the dispatcher resolves it there', async () => {
    // A job in assessment with tech.li; his tablet, offline, completes the repair — the server refuses that step.
    const liu = await server.login('customer.liu');
    const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
    const asset = (await server.must('GET', '/api/v1/assets?q=EG100', { token: liu })).items[0];
    const made = await server.must('POST', '/api/v1/jobs', { token: dispatcher, body: {
      customer_id: me.customer_id, asset_id: asset.id, description: '洗衣机漏水 (conflict test)', priority: 'normal' } }, 201);
    await act(dispatcher, made.id, 'assign', { technician_id: tech['tech.li'].id });
    const device = await server.must('POST', '/api/v1/sync/devices', { token: li, body: { name: '李师傅的平板', platform: 'android' } }, 201);
    const hlc = `${Date.now().toString(16).padStart(16, '0')}-00000000-${device.device_id}`;
    const pushed = await server.must('POST', '/api/v1/sync/push', { token: device.device_token, body: { protocol: 1, device_id: device.device_id,
      ops: [{ op_id: uuid_v7(), table: 'jobs', row_id: made.id, kind: 'action', action: 'complete_repair', hlc, base_version: 0,
        fields: { work_summary: '更换进水阀', time_spent_minutes: 30, parts_used: [] } }] } });
    check('the server refuses the offline step', pushed.results[0].status === 'rejected', JSON.stringify(pushed.results[0]));

    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await board_login(page, 'dispatcher');
    await page.waitForSelector('#conflicts .badge:not([hidden])');
    check('the board counts the open conflict', Number(await page.textContent('#conflicts .badge')) >= 1);
    await page.click('#conflicts');
    const card = page.locator('.conflict[data-status=open]', { hasText: made.ticket_no });
    await card.waitFor();
    const text = await card.textContent();
    check('the conflict names the job, the technician and the device',
      text.includes(made.ticket_no) && text.includes(tech['tech.li'].name) && text.includes('李师傅的平板'), text);
    check('the conflict says what was refused and why', text.includes('完成维修') && text.includes('更换进水阀') &&
      text.includes('工单处于“检测中”状态，不能“完成维修”'), text);
    await page.screenshot({ path: path.join(shots, 'board-conflicts.png') });
    await card.locator('textarea[name=note]').fill('已电话联系李师傅，改为继续检测');
    await after_toast(page, () => card.locator('button[data-resolution=applied_manually]').click());
    await page.locator('.conflict[data-status=open]', { hasText: made.ticket_no }).waitFor({ state: 'detached' });
    const resolved = (await server.must('GET', '/api/v1/sync/conflicts?status=applied_manually', { token: dispatcher })).items
      .find((c) => c.ticket_no === made.ticket_no);
    const dispatcher_me = await server.must('GET', '/api/v1/auth/me', { token: dispatcher });
    check('the API shows the conflict resolved by the dispatcher with the note', resolved?.resolved_by === dispatcher_me.id &&
      resolved?.resolution_note === '已电话联系李师傅，改为继续检测', JSON.stringify(resolved));
    const open = (await server.must('GET', '/api/v1/sync/conflicts?status=open', { token: dispatcher })).items;
    check('no open conflict is left for the job', !open.some((c) => c.job_id === made.id));
    check('the conflicts panel ran without script errors', errors.length === 0, errors.join('; '));
    await page.close();
  });

  await scenario('the board shows times in the dispatcher’s own time zone, not the browser’s', async () => {
    // A dispatcher working from Tokyo; the browser runs on Shanghai time. A visit at 06:00 UTC is 14:00 in
    // Shanghai and 15:00 in Tokyo.
    await server.must('POST', '/api/v1/users', { token: admin, body: { username: 'disp.tokyo', password: 'tokyo-password-1',
      name: '佐藤 Sato', role: 'dispatcher', time_zone: 'Asia/Tokyo' } }, 201);
    const bad = await server.request('POST', '/api/v1/users', { token: admin, body: { username: 'disp.mars', password: 'copper-kettle-harbour-1',
      name: 'Mars', role: 'dispatcher', time_zone: 'Mars/Olympus_Mons' } });
    check('an unknown time zone is refused', bad.status === 422 && bad.json.error.field === 'time_zone', bad.text);
    const liu = await server.login('customer.liu');
    const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
    const asset = (await server.must('GET', '/api/v1/assets?q=EG100', { token: liu })).items[0];
    const made = await server.must('POST', '/api/v1/jobs', { token: dispatcher, body: {
      customer_id: me.customer_id, asset_id: asset.id, description: '洗衣机异响 (time zone test)', priority: 'normal' } }, 201);
    await act(dispatcher, made.id, 'assign', { technician_id: tech['tech.li'].id });
    await act(li, made.id, 'submit_assessment', plan());
    await act(dispatcher, made.id, 'approve_plan', { plan_version: 1 });
    const day = future_weekday();
    await act(dispatcher, made.id, 'schedule', { technician_id: tech['tech.chen'].id, window_start: `${day}T06:00:00Z`,
      window_end: `${day}T08:00:00Z` });

    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await board_login(page, 'disp.tokyo', 'tokyo-password-1');
    check('the board names the time zone it shows', (await page.textContent('#time-zone')).trim() === 'Asia/Tokyo');
    await board_day(page, day);
    const lane_at = `.tech[data-tech-name="${tech['tech.chen'].name}"] .lane`;
    const visit = page.locator(`${lane_at} .visit[data-job-id="${made.id}"]`);
    await visit.waitFor({ timeout: 10_000 });
    const label = await visit.textContent();
    check('the visit shows 15:00 Tokyo time', label.startsWith('15:00'), label);
    const [lane_box, visit_box] = [await box_of(page, lane_at), await box_of(page, `${lane_at} .visit[data-job-id="${made.id}"]`)];
    const expected = lane_box.x + lane_box.width * ((15 - 7) / 14);
    check('the visit sits at 15:00 on the timeline', Math.abs(visit_box.x - expected) < 3, `${visit_box.x} vs ${expected}`);
    await visit.click();
    await page.waitForSelector('#job-drawer dd');
    const visit_fact = await page.evaluate(() => [...document.querySelectorAll('#job-drawer dt')]
      .find((dt) => dt.textContent === '上门时间')?.nextElementSibling?.textContent || '');
    check('the job details show the visit in Tokyo time', /15:00\D+17:00$/.test(visit_fact), visit_fact);
    check('the time zone page ran without script errors', errors.length === 0, errors.join('; '));
    await page.close();
  });

  await scenario('auto-assign shows its plan first and the dispatcher accepts only part of it', async () => {
    const liu = await server.login('customer.liu');
    const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
    const asset = (await server.must('GET', '/api/v1/assets?q=EG100', { token: liu })).items[0];
    const made = [];
    for (const text of ['洗衣机进水慢 (auto-assign A)', '洗衣机门锁坏 (auto-assign B)'])
      made.push(await server.must('POST', '/api/v1/jobs', { token: dispatcher, body: {
        customer_id: me.customer_id, asset_id: asset.id, description: text, priority: 'normal', category: '洗衣机' } }, 201));

    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await board_login(page, 'dispatcher');
    await board_day(page, future_weekday());
    await page.click('#auto-assign');
    await page.waitForSelector('#auto-assign-totals');
    const rows = page.locator('#auto-assign-drawer tbody tr');
    const planned = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.jobId));
    check('the plan lists both new jobs before anything changes', made.every((j) => planned.includes(j.id)), planned.join(','));
    check('nothing is assigned by the preview', (await Promise.all(made.map((j) => job(j.id)))).every((j) => !j.assignee_id));
    const totals = await page.textContent('#auto-assign-totals');
    check('the plan states its travel next to one greedy pass', totals.includes('公里') && totals.includes('贪心'), totals);
    await page.screenshot({ path: path.join(shots, 'board-auto-assign.png') });
    // Accept the first new job only.
    for (const id of planned) if (id !== made[0].id) await page.uncheck(`#auto-assign-drawer tr[data-job-id="${id}"] input`);
    await page.click('#auto-assign-apply');
    await page.waitForSelector('#auto-assign-result');
    const [first, second] = await Promise.all(made.map((j) => job(j.id)));
    check('the ticked job is assigned', first.state === 'assessing' && Boolean(first.assignee_id), `${first.state} ${first.assignee_name}`);
    check('the unticked job is left alone', second.state === 'reported' && !second.assignee_id, second.state);
    check('the auto-assign page ran without script errors', errors.length === 0, errors.join('; '));
    await page.close();
  });

  await scenario('the board charts the reports, exports them as CSV and shows a depot job’s shipment', async () => {
    const liu = await server.login('customer.liu');
    const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
    const asset = (await server.must('GET', '/api/v1/assets?q=EG100', { token: liu })).items[0];
    const made = await server.must('POST', '/api/v1/jobs', { token: dispatcher, body: {
      customer_id: me.customer_id, asset_id: asset.id, description: '电机故障，需返厂 (depot test)', priority: 'normal' } }, 201);
    await act(dispatcher, made.id, 'assign', { technician_id: tech['tech.li'].id });
    const depot = plan();
    depot.plan.mode = 'depot';
    await act(li, made.id, 'submit_assessment', depot);
    await act(dispatcher, made.id, 'approve_plan', { plan_version: 1 });
    await act(dispatcher, made.id, 'schedule', { carrier: '顺丰速运', tracking_no: 'SF5550001111' });

    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await board_login(page, 'dispatcher');
    await page.fill('input[name=q]', made.ticket_no);
    const row = page.locator(`#queue .job[data-job-id="${made.id}"]`);
    await row.waitFor();
    check('the queue marks the depot job as inbound', await row.locator('.chip[data-shipment=in_transit]').count() === 1);
    await row.click();
    await page.waitForSelector('#job-drawer dd');
    const shipment = await page.evaluate(() => [...document.querySelectorAll('#job-drawer dt')]
      .find((dt) => dt.textContent === '物流')?.nextElementSibling?.textContent || '');
    check('the job details show carrier, tracking number and status', shipment.includes('顺丰速运 SF5550001111') &&
      shipment.includes('寄修在途'), shipment);
    await page.click('#job-drawer h2 .btn');

    await page.click('#reports');
    await page.waitForSelector('#reports-drawer .chart[data-report=sla-compliance]');
    await page.selectOption('#reports-drawer select[name=name]', 'jobs');
    await page.waitForSelector('#reports-drawer .chart[data-report=jobs] .bar');
    const bars = await page.locator('#reports-drawer .chart .bar').allTextContents();
    const report = await server.must('GET', '/api/v1/reports/jobs?group_by=technician', { token: dispatcher });
    const li_row = report.rows.find((r) => r.name === tech['tech.li'].name);
    check('the jobs chart has a bar per technician with the API’s count', bars.length === report.rows.length &&
      bars.some((b) => b.includes(tech['tech.li'].name) && b.endsWith(String(li_row?.jobs))), bars.join(' | '));
    await page.screenshot({ path: path.join(shots, 'board-reports.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    check('the CSV export holds the report with a BOM for Excel', csv.startsWith('\ufeff') && csv.includes(tech['tech.li'].name),
      csv.slice(0, 200));
    check('the reports page ran without script errors', errors.length === 0, errors.join('; '));
    await page.close();
  });

  await scenario('an SLA breach escalates to the named dispatcher and the board shows it on the job', async () => {
    const before = await server.must('GET', '/api/v1/sla/policies', { token: admin });
    const terms = (p) => ({ priority: p.priority, response_minutes: p.response_minutes, resolution_minutes: p.resolution_minutes,
      business_hours: p.business_hours, escalate_to: p.escalate_to });
    const dispatcher_me = await server.must('GET', '/api/v1/auth/me', { token: dispatcher });
    // Low jobs must be answered at once, around the clock; nobody is named per priority, the default escalation
    // dispatcher is.
    await server.must('PUT', '/api/v1/sla/policies', { token: admin, body: { escalate_to: dispatcher_me.id,
      policies: before.policies.map((p) => (p.priority === 'low'
        ? { ...terms(p), response_minutes: 0, business_hours: false, escalate_to: null } : terms(p))) } });
    try {
      const liu = await server.login('customer.liu');
      const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
      const asset = (await server.must('GET', '/api/v1/assets?q=EG100', { token: liu })).items[0];
      const made = await server.must('POST', '/api/v1/jobs', { token: dispatcher, body: {
        customer_id: me.customer_id, asset_id: asset.id, description: '洗衣机指示灯不亮 (escalation test)', priority: 'low' } }, 201);
      await new Promise((r) => setTimeout(r, 50));
      await server.must('POST', '/api/v1/sla/check', { token: admin, body: {} });
      const events = (await server.must('GET', `/api/v1/jobs/${made.id}/events`, { token: dispatcher })).items;
      const escalation = events.find((e) => e.action === 'escalate');
      check('the escalation event names the default dispatcher', escalation?.after.escalated_to === dispatcher_me.id &&
        escalation?.after.escalated_to_name === dispatcher_me.name, JSON.stringify(escalation?.after));

      const page = await context.newPage();
      await board_login(page, 'dispatcher');
      await page.fill('input[name=q]', made.ticket_no);
      const row = page.locator(`#queue .job[data-job-id="${made.id}"]`);
      await row.waitFor();
      check('the queue shows the breached clock in red', await row.locator('.chip[data-sla=breached]').count() === 1);
      await row.click();
      await page.waitForSelector('#job-drawer dd');
      const fact = await page.evaluate(() => [...document.querySelectorAll('#job-drawer dt')]
        .find((dt) => dt.textContent === '超时升级')?.nextElementSibling?.textContent || '');
      check('the job details show to whom it was escalated', fact.includes(dispatcher_me.name) && fact.includes('响应时限已超时'),
        fact || await page.textContent('#job-drawer'));
      await page.close();
    } finally {
      await server.must('PUT', '/api/v1/sla/policies', { token: admin, body: { escalate_to: before.escalate_to,
        policies: before.policies.map(terms) } });
    }
  });

  await scenario('a customer reports a fault, follows it, approves the plan and signs acceptance', async () => {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/portal/`);
    const serial = `HR-TEST-${Date.now()}`;
    await page.fill('input[name=model]', '海尔 EG100 洗衣机');
    await page.fill('input[name=serial_no]', serial);
    await page.fill('textarea[name=description]', '洗衣机脱水时噪音很大，显示F3');
    await page.setInputFiles('input[name=photos]', { name: 'fault.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1x1, 'base64') });
    await page.waitForSelector('.photos-preview img');
    await page.fill('input[name=contact_name]', '王小明');
    await page.fill('input[name=phone]', '139 1234 5678');
    await page.fill('input[name=address]', '上海市浦东新区世纪大道100号8楼');
    await page.fill('input[name=preferred_date]', future_weekday());
    await page.selectOption('select[name=slot]', 'morning');
    await page.screenshot({ path: path.join(shots, 'portal-report.png'), fullPage: true });
    await page.click('#submit-report');
    const ticket_no = (await page.textContent('#ticket-no', { timeout: 15_000 })).trim();
    check('the portal shows a ticket number', /^FR-\d{8}-\d{4}$/.test(ticket_no), ticket_no);
    const tracking_link = await page.inputValue('#tracking-link');
    const access_key = await page.inputValue('#access-key');
    check('the portal shows the tracking link with an unguessable key once',
      tracking_link === `${server.url}/portal/#ticket=${ticket_no}&key=${access_key}` && access_key.length >= 22, tracking_link);
    const found = (await server.must('GET', `/api/v1/jobs?q=${encodeURIComponent(ticket_no)}`, { token: dispatcher })).items;
    check('the dispatcher sees the reported job', found.length === 1 && found[0].state === 'reported' && found[0].channel === 'web');
    const id = found[0].id;
    const report = await server.must('GET', `/api/v1/portal/reports/${id}`, { token: dispatcher });
    check('the report keeps the contact, the preferred time and the photo',
      report.contact_name === '王小明' && report.preferred_start && report.photos.length === 1, JSON.stringify(report).slice(0, 300));

    await act(dispatcher, id, 'assign', { technician_id: tech['tech.li'].id });
    await act(li, id, 'submit_assessment', plan(280));
    await page.goto(`${server.url}/portal/#/track`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.fill('#track-form input[name=ticket_no]', ticket_no);
    await page.fill('#track-form input[name=access_key]', access_key);
    await page.click('#track-form button[type=submit]');
    const looked_up = await settles(page.waitForSelector('#job-state[data-state=plan_proposed]'));
    check('looking up by ticket and access key shows the plan waiting for approval', looked_up &&
      (await page.textContent('#job-state')) === '维修方案待您确认' && await page.locator('.ticket-no', { hasText: ticket_no }).count() === 1);
    check('the plan shows its price', (await page.textContent('#plan-price')).includes('280'));
    check('the progress timeline is in plain words', (await page.textContent('#progress')).includes('您提交了报修'));
    await page.click('#approve-plan');
    await page.waitForSelector('#job-state[data-state=approved]');
    check('approving the plan moves the job to approved', (await job(id)).state === 'approved');

    const visit_day = future_weekday();
    await act(dispatcher, id, 'schedule', { technician_id: tech['tech.li'].id, window_start: `${visit_day}T14:00:00+08:00`,
      window_end: `${visit_day}T16:00:00+08:00` });
    // The portal shows times in the customer's (the browser's) zone: 14:00 in Shanghai, 15:00 in Tokyo.
    await page.reload();
    await page.waitForSelector('#visit');
    check('the portal shows the visit in the browser’s time zone (Shanghai)', (await page.textContent('#visit')).includes('14:00'),
      await page.textContent('#visit'));
    // The same ticket looked up from a browser in Tokyo.
    const tokyo_browser = await launch_browser(chromium, { locale: 'zh-CN', timezoneId: 'Asia/Tokyo' });
    try {
      const tokyo_page = await tokyo_browser.context.newPage();
      // Opened by its tracking link, which leaves the address bar at once.
      await tokyo_page.goto(tracking_link);
      await tokyo_page.waitForSelector('#visit');
      check('the tracking link opens the repair and leaves the address bar', !tokyo_page.url().includes(access_key), tokyo_page.url());
      const tokyo = await tokyo_page.textContent('#visit');
      check('a browser in Tokyo shows the same visit at 15:00', tokyo.includes('15:00') && !tokyo.includes('14:00'), tokyo);
    } finally {
      await tokyo_browser.close();
    }
    await act(li, id, 'start_repair', {});
    await act(li, id, 'complete_repair', { work_summary: '更换排水泵，试机正常', time_spent_minutes: 50, parts_used: [] });
    await page.reload();
    await page.waitForSelector('#acceptance');
    const summary_text = await page.textContent('#summary-text');
    check('the acceptance shows the job summary', summary_text.includes(ticket_no) && summary_text.includes('更换排水泵'));
    await page.locator('#signature').scrollIntoViewIfNeeded();
    const pad = await page.locator('#signature').boundingBox();
    const stroke = async (points) => {
      await page.mouse.move(pad.x + points[0][0], pad.y + points[0][1]);
      await page.mouse.down();
      for (const [x, y] of points.slice(1)) await page.mouse.move(pad.x + x, pad.y + y, { steps: 4 });
      await page.mouse.up();
    };
    await stroke([[30, 120], [60, 40], [90, 130], [120, 50], [150, 120]]);
    await stroke([[190, 90], [260, 80], [330, 100]]);
    await page.click('.stars button[data-rating="4"]');
    await page.fill('textarea[name=comment]', '师傅很专业，准时');
    await page.screenshot({ path: path.join(shots, 'portal-acceptance.png'), fullPage: true });
    await page.click('#sign-accept');
    await page.waitForSelector('#accepted');
    const done = await job(id);
    check('the API shows the job accepted', done.state === 'accepted', done.state);
    const png = Buffer.from(done.acceptance?.signature_png || '', 'base64');
    check('the acceptance carries the drawn signature as a PNG', png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && png.length > 500,
      `${png.length} bytes`);
    check('the acceptance keeps both strokes', done.acceptance?.signature_strokes?.length === 2);
    check('the acceptance records the rating', done.acceptance?.rating === 4);
    await page.waitForSelector('#warranties li');
    check('the customer sees the warranty record of the repair', (await page.textContent('#warranties')).includes(ticket_no));
    await page.screenshot({ path: path.join(shots, 'portal.png'), fullPage: true });
    check('the portal page ran without script errors', errors.length === 0, errors.join('; '));
    const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('portal.session')));
    portal_a = { page, ticket_no, id, token: session.token, access_key };
  });

  await scenario('a customer reports with purchase facts, asks for a return and refund, and the board approves it', async () => {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/portal/`);
    await page.fill('input[name=model]', '美的 BCD-520 冰箱');
    await page.fill('input[name=serial_no]', `MD-RET-${Date.now()}`);
    await page.fill('textarea[name=description]', '新买的冰箱不制冷，到货即故障');
    await page.fill('input[name=contact_name]', '孙丽');
    await page.fill('input[name=phone]', '137 0000 2222');
    await page.fill('input[name=address]', '上海市静安区南京西路1号');
    const bought = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('input[name=purchase_date]', bought);
    await page.fill('input[name=purchase_channel]', '京东自营');
    await page.fill('input[name=purchase_price]', '1999');
    await page.setInputFiles('input[name=proof_of_purchase]', { name: 'invoice.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1x1, 'base64') });
    await page.click('#submit-report');
    const ticket_no = (await page.textContent('#ticket-no', { timeout: 15_000 })).trim();
    const found = (await server.must('GET', `/api/v1/jobs?q=${encodeURIComponent(ticket_no)}`, { token: dispatcher })).items;
    check('the reported job is there', found.length === 1, JSON.stringify(found).slice(0, 200));
    const purchase = await server.must('GET', `/api/v1/assets/${found[0].asset_id}/purchase`, { token: dispatcher });
    check('the purchase date, price and proof of purchase are recorded', purchase.purchase_date === bought &&
      purchase.purchase_price === 1999 && purchase.proof?.content_type === 'image/png', JSON.stringify(purchase));

    await page.click('#reported a');
    await page.waitForSelector('#job-state[data-state=reported]');
    check('withdrawing is offered, free before inspection', (await page.textContent('#withdraw-fee')).includes('不收费'));
    await page.selectOption('select[name=request_kind]', 'return_refund');
    await page.fill('textarea[name=request_reason]', '到货即故障，要求退货');
    await page.fill('input[name=request_amount]', '1999');
    await page.click('#request-send');
    await page.waitForSelector('.case-state[data-state=requested]');
    check('the request shows the merchant’s answer deadline', (await page.textContent('#requests')).includes('逾期未处理系统将默认同意'));
    await page.reload();
    await page.waitForSelector('#deadlines dd[data-rule=case_response]');
    check('the job lists what happens when', (await page.textContent('#deadlines')).includes('商家须在此前答复您的申请'),
      await page.textContent('#deadlines'));
    await page.screenshot({ path: path.join(shots, 'portal-after-sales.png'), fullPage: true });

    const board = await context.newPage();
    board.on('pageerror', (e) => errors.push(`board: ${e}`));
    await board.goto(`${server.url}/board/`);
    await board.fill('#login input[name=username]', 'dispatcher');
    await board.fill('#login input[name=password]', DEMO_PASSWORD);
    await board.click('#login button[type=submit]');
    await board.waitForSelector('body[data-ready=true]');
    const request = board.locator('#after-sales .as-case', { hasText: ticket_no });
    await request.waitFor({ timeout: 10_000 });
    check('the board lists the request in its after-sales queue', await request.count() === 1);
    await board.screenshot({ path: path.join(shots, 'board-after-sales.png'), fullPage: true });
    await after_toast(board, () => request.locator('.as-approve').click());
    const cases = (await server.must('GET', `/api/v1/after-sales/cases?job_id=${found[0].id}`, { token: dispatcher })).items;
    check('approving on the board approves the case', cases[0]?.state === 'approved', cases[0]?.state);
    await board.close();

    await page.reload();
    await page.waitForSelector('input[name=ship_tracking]');
    await page.fill('input[name=ship_carrier]', '顺丰速运');
    await page.fill('input[name=ship_tracking]', 'SF-RET-0001');
    await page.click('#requests li[data-case] button');
    await page.waitForSelector('.case-state[data-state=goods_returned]');
    const case_path = `/api/v1/after-sales/cases/${cases[0].id}/actions`;
    await server.must('POST', `${case_path}/receive_goods`, { token: dispatcher, body: { inspection: '包装完好' } });
    await server.must('POST', `${case_path}/refund`, { token: dispatcher, body: { amount: 1999, method: 'original_route', reference: 'WX-1' } });
    await page.reload();
    await page.waitForSelector('#requests .refund');
    check('the customer sees the refund by the original route', (await page.textContent('#requests .refund')).includes('原路退回'));
    check('the after-sales pages ran without script errors', errors.length === 0, errors.join('; '));
    await page.close();
  });

  await scenario('a customer who changes the ticket or job id in the URL sees nothing of another customer', async () => {
    if (!portal_a) throw new Error('needs the portal scenario');
    const { page, token } = portal_a;
    const other = await server.must('POST', '/api/v1/portal/reports', { body: {
      contact_name: '赵六', phone: '13700001111', address: '上海市徐汇区漕溪北路1号', model: '格力 KFR-35 空调',
      serial_no: `GREE-${Date.now()}`, description: '空调不制冷 — secret of customer B' } }, 201);
    const demo_jobs = (await server.must('GET', '/api/v1/jobs?limit=5', { token: dispatcher })).items
      .filter((j) => j.id !== portal_a.id && j.id !== other.job_id);
    for (const [label, target] of [['another customer’s new report', other.job_id], ['a demo customer’s job', demo_jobs[0].id]]) {
      // A fresh load each time: a hash change alone would leave the last target's answer on the page to be read.
      await page.goto('about:blank');
      await page.goto(`${server.url}/portal/#/jobs/${encodeURIComponent(target)}`);
      await settles(page.waitForSelector('#track-form .error:not([hidden])'));
      const text = await page.textContent('body');
      check(`the page shows nothing of ${label}, only that it cannot show it`, !text.includes('secret of customer B') && !text.includes('赵六') &&
        !text.includes(demo_jobs[0].customer_name) && !text.includes(demo_jobs[0].ticket_no) &&
        await page.locator('#job-state').count() === 0 && text.includes('无法显示该维修单'), text.slice(0, 200));
      const res = await server.request('GET', `/api/v1/jobs/${encodeURIComponent(target)}`, { token });
      check(`the API answers 404 for ${label}`, res.status === 404, String(res.status));
    }
    for (const route of ['/summary', '/events']) {
      const res = await server.request('GET', `/api/v1/jobs/${other.job_id}${route}`, { token });
      check(`the API answers 404 for another customer's job${route}`, res.status === 404, String(res.status));
    }
    const list = await server.must('GET', '/api/v1/jobs', { token });
    check('the job list holds only the session’s own job', list.total === 1 && list.items[0].id === portal_a.id);
    const customers = await server.request('GET', '/api/v1/customers', { token });
    check('a portal session cannot list customers', customers.status === 403, String(customers.status));
    await page.goto(`${server.url}/portal/#/track`);
    await page.fill('#track-form input[name=ticket_no]', other.ticket_no);
    await page.fill('#track-form input[name=access_key]', portal_a.access_key);
    await page.click('#track-form button[type=submit]');
    await settles(page.waitForSelector('#track-form .error:not([hidden])'));
    check('another ticket number with one’s own access key finds nothing, and says so', !(await page.textContent('body')).includes('secret of customer B') &&
      await page.locator('#job-state').count() === 0 && (await page.textContent('#track-form .error')).trim() === '没有与该工单号和查询码匹配的维修单。');
    const by_phone = await server.request('POST', '/api/v1/portal/session', { body: { ticket_no: other.ticket_no, phone: '13700001111' } });
    check('the phone number no longer opens a ticket', by_phone.status === 422 && !by_phone.json.token, String(by_phone.status));
    const wrong = await server.request('POST', '/api/v1/portal/session', { body: { ticket_no: other.ticket_no, access_key: portal_a.access_key } });
    const missing = await server.request('POST', '/api/v1/portal/session', { body: { ticket_no: 'FR-20000101-0001', access_key: other.access_key } });
    check('a wrong key and a wrong ticket get the same answer', wrong.status === 401 && missing.status === 401 &&
      wrong.json.error.message === missing.json.error.message);
    await page.close();
  });
} catch (e) {
  check('the browser tests ran', false, e.stack || String(e));
} finally {
  await close();
  if (any_failed()) console.log(`--- server log (last lines)\n${server.log()}`);
  await server.stop();
}
finish();
