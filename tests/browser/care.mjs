// Browser tests of customer care in headless Chromium against the real server: the care desk's queues and forms
// (complaints, appeals, follow-ups with the survey, messages, a report from a phone call) for an agent and a
// supervisor, the portal's customer sign-in, expected finish date, messages and evidence upload, and the board's
// panel of customer messages.
// Usage: node care.mjs <fieldrepair-server> [<screenshot folder>]; prints "N passed, M failed".
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { start_server, launch_browser } from './server.mjs';
import { check, scenario, check_axe, any_failed, finish } from './checks.mjs';

const [binary, shots = path.resolve('build/screenshots')] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node care.mjs <fieldrepair-server> [<screenshot folder>]');
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });

const assessment = {
  findings: '压缩机启动电容损坏 start capacitor failed', warranty_covered: false, customer_caused: false, fault_category: '空调',
  plan: { mode: 'on_site', cost_to_customer: 150, items: [{ kind: 'part', description: '启动电容 capacitor', quantity: 1, unit_price: 150 }] },
};

async function desk_login(page, username) {
  await page.goto(`${server.url}/care/`);
  await page.fill('#login input[name=username]', username);
  await page.fill('#login input[name=password]', 'demo-password-1');
  await page.click('#login button[type=submit]');
  await page.waitForSelector('nav [data-tab=complaints]');
  await settled(page, '#new-complaint');
}

// The desk's main area once the tab asked for last has drawn (aria-busy goes when it has), showing ready.
const settled = (page, ready) => page.waitForSelector(`main:not([aria-busy]) :is(${ready})`);

async function tab(page, name, ready) {
  await page.click(`#tab-${name}`);
  await settled(page, ready);
}

const ZH_NO_CUSTOMER = '没有此电话的客户。';

const server = await start_server(binary);
const { context, close } = await launch_browser(chromium, { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
try {
  const admin = await server.login('admin', 'admin-password-1');
  const dispatcher = await server.login('dispatcher');
  const agent = await server.login('agent');
  const liu = await server.login('customer.liu');
  const me = await server.must('GET', '/api/v1/auth/me', { token: liu });
  const li = (await server.must('GET', '/api/v1/users?role=technician', { token: admin })).items.find((u) => u.username === 'tech.li');
  const li_token = await server.login('tech.li');
  const assets = await server.must('GET', `/api/v1/assets?customer_id=${me.customer_id}`, { token: dispatcher });
  // A job of 刘洋 whose plan refused warranty cover: the appeal's subject.
  const job = await server.must('POST', '/api/v1/jobs', { token: agent, body: { customer_id: me.customer_id, asset_id: assets.items[0].id, description: '空调不制冷' } }, 201);
  await server.must('POST', `/api/v1/jobs/${job.id}/actions/assign`, { token: agent, body: { technician_id: li.id } });
  await server.must('POST', `/api/v1/jobs/${job.id}/actions/submit_assessment`, { token: li_token, body: assessment });
  await server.must('POST', '/api/v1/appeals', { token: liu, body: { job_id: job.id, decision: 'warranty_refused', reason: '购买不满一年' } }, 201);
  await server.must('POST', `/api/v1/jobs/${job.id}/messages`, { token: liu, body: { body: '<img src=x onerror="window.hacked=1">师傅几点到？' } }, 201);
  // A repair the caller cancels: its follow-up call is due (the demo's closed job had its call before closing).
  const cancelled = await server.must('POST', '/api/v1/jobs', { token: agent, body: { customer_id: me.customer_id, asset_id: assets.items[0].id, description: '洗衣机异响（客户取消）' } }, 201);
  await server.must('POST', `/api/v1/jobs/${cancelled.id}/actions/cancel`, { token: agent, body: { reason: '客户自行修好' } });

  await scenario('the care desk: complaints, appeals, follow-ups, messages and a phone report', async () => {
    const page = await context.newPage();
    const asked = page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/me'));
    await desk_login(page, 'agent');
    const sent = (await asked).headers();
    check('the care desk sends its language and time zone with its requests', sent['accept-language'] === 'zh-CN' &&
      sent['time-zone'] === 'Asia/Shanghai', `${sent['accept-language']} ${sent['time-zone']}`);
    check('an agent signs in to the care desk', await page.isVisible('#tab-complaints'));
    check('agents see the figures tab', await page.isVisible('#tab-report'));

    await page.fill('#new-complaint input[name=phone]', '13800138001');
    await page.click('#new-complaint button[type=button]');
    await page.waitForFunction(() => document.querySelector('#new-complaint .who')?.textContent === '刘洋');
    await page.selectOption('#new-complaint select[name=type]', 'timeliness');
    await page.fill('#new-complaint input[name=description]', '等了三天没人上门');
    await page.click('#new-complaint button[type=submit]');
    await page.waitForSelector('#complaints-table td.body:text("等了三天没人上门")');
    const row = page.locator('#complaints-table tr', { hasText: '等了三天没人上门' });
    await row.locator('button.do-contact').click();
    await page.waitForSelector('#complaints-table tr:has-text("等了三天没人上门") td.state.contacted');
    await row.locator('select[name=outcome]').selectOption('apology');
    await row.locator('input[name=answer]').fill('已致歉并安排明天上门');
    await row.locator('button.do-resolve').click();
    await page.waitForSelector('#complaints-table tr:has-text("等了三天没人上门") td.state.resolved');
    const complaints = await server.must('GET', '/api/v1/complaints?type=timeliness', { token: admin });
    check('the complaint is recorded, contacted and resolved from the queue',
      complaints.items.length === 1 && complaints.items[0].state === 'resolved' && complaints.items[0].answer === '已致歉并安排明天上门');

    await tab(page, 'appeals', '#appeals-table');
    const appeal_row = page.locator('#appeals-table tr', { hasText: '购买不满一年' });
    check('an agent may not decide appeals', (await appeal_row.locator('button.do-uphold').count()) === 0);
    await appeal_row.locator('input[name=note]').fill('已电联客户，请其提供发票');
    await appeal_row.locator('button.do-call-back').click();
    await page.waitForSelector('#appeals-table td.state.called_back');
    const called = (await server.must('GET', '/api/v1/appeals', { token: agent })).items.find((p) => p.reason === '购买不满一年');
    check('the call-back is recorded and the row shows it',
      called?.state === 'called_back' && !!called.called_back_at && (await appeal_row.locator('td.state').textContent()) === '已回电' &&
      (await appeal_row.locator('button.do-call-back').count()) === 0, JSON.stringify(called));

    await tab(page, 'followups', '#followups-table, #followups-empty');
    const due = await server.must('GET', '/api/v1/followups?state=due', { token: agent });
    check('the cancelled repair is due a follow-up call', due.total >= 1, JSON.stringify(due.items.map((f) => f.reason)));
    const f_row = page.locator(`#followups-table tr[data-id="${due.items[0].id}"]`);
    check('the call script names the customer', (await f_row.locator('.script').textContent()).includes(due.items[0].customer_name));
    await f_row.locator('select[name=rating]').selectOption('1');
    await f_row.locator('select[name=price_rating]').selectOption('1');
    await f_row.locator('button[type=submit]').click();
    await page.waitForSelector(`#followups-table tr[data-id="${due.items[0].id}"]`, { state: 'detached' });
    const done = await server.must('GET', `/api/v1/followups/${due.items[0].id}`, { token: agent });
    check('a 1-star survey from the phone closes the follow-up and opens a price complaint', done.state === 'done' && !!done.complaint_id);

    await tab(page, 'messages', '#messages-table');
    await page.click('#messages-table tbody tr');
    await page.waitForSelector('.thread li');
    check('the customer’s message shows as text, not markup',
      (await page.textContent('.thread li p')).includes('<img src=x') && !(await page.evaluate(() => window.hacked)));
    await page.fill('.thread-box textarea', '师傅下午两点到');
    await page.click('.thread-box button.do-reply');
    await page.waitForSelector('#messages-empty');
    const answered = (await server.must('GET', `/api/v1/jobs/${job.id}/messages`, { token: liu })).items.at(-1);
    const still = (await server.must('GET', '/api/v1/messages/waiting', { token: agent })).items.filter((m) => m.job_id === job.id);
    check('the reply answers the waiting message', answered?.body === '师傅下午两点到' && answered.author_role === 'agent' && still.length === 0,
      JSON.stringify({ answered, still }));

    await tab(page, 'phone', '#phone-report');
    await page.fill('#phone-report input[name=phone]', '13122223333');
    await page.click('#find-caller');
    // The lookup answers (nobody has this phone) before the new caller's name is typed.
    await page.waitForFunction((text) => document.querySelector('#toast')?.textContent === text, ZH_NO_CUSTOMER);
    await page.fill('#phone-report input[name=name]', '钱多多');
    await page.fill('#phone-report input[name=address]', '上海市长宁区天山路1号');
    await page.fill('#phone-report input[name=model]', '海尔 BCD-216 冰箱');
    await page.fill('#phone-report input[name=serial]', 'HR-216-0001');
    await page.fill('#phone-report textarea[name=description]', '冰箱冷藏室结冰');
    await page.click('#phone-report button[type=submit]');
    await page.waitForFunction(() => /FR-/.test(document.querySelector('#phone-result')?.textContent || ''));
    const made = await server.must('GET', `/api/v1/jobs?q=${encodeURIComponent('冷藏室结冰')}`, { token: agent });
    check('a phone call becomes a customer, a product and a job', made.total === 1 && made.items[0].customer_name === '钱多多' && made.items[0].channel === 'phone');
    await page.screenshot({ path: path.join(shots, 'care-desk-agent.png') });

    await page.click('#sign-out');
    await page.waitForSelector('#login');
    check('signing out leaves no session in the page', await page.evaluate(() => sessionStorage.getItem('care.token')) === null);
    await desk_login(page, 'supervisor');
    await tab(page, 'appeals', '#appeals-table');
    const sup_row = page.locator('#appeals-table tr', { hasText: '购买不满一年' });
    await sup_row.locator('input[name=note]').fill('发票在保修期内，申诉成立');
    await sup_row.locator('button.do-uphold').click();
    await page.waitForSelector('#appeals-table td.state.upheld');
    const after = await server.must('GET', `/api/v1/jobs/${job.id}`, { token: dispatcher });
    check('the supervisor upholds the appeal and the plan goes back to assessment', after.state === 'assessing', after.state);
    await tab(page, 'report', '.figures');
    // The charts against the server's figures: the complaint types as bars (the timeliness one recorded above and the
    // price one the 1-star survey opened), the appeal upheld, the follow-up calls.
    const figures = await server.must('GET', '/api/v1/care/report?period=month&group_by=product_type', { token: admin });
    const drawn = await page.locator('#chart-complaint-types .bar').evaluateAll((bars) =>
      Object.fromEntries(bars.map((b) => [b.dataset.group, b.querySelector('.value').textContent])));
    const wanted = Object.fromEntries(Object.entries(figures.complaints.by_type).map(([k, n]) => [k, String(n)]));
    check('supervisors see the figures: the complaint types drawn as bars with the server’s counts',
      JSON.stringify(drawn) === JSON.stringify(wanted) && drawn.timeliness === '1' && drawn.price === '1', `${JSON.stringify(drawn)} vs ${JSON.stringify(wanted)}`);
    const upheld = await page.textContent('#chart-appeals .bar[data-group=upheld] .value');
    check('the appeal upheld shows in its chart', upheld.trim() === '1', upheld);
    const width = await page.evaluate(() => document.querySelector('#chart-appeals .bar[data-group=upheld] .fill').style.width);
    check('a bar is as wide as its share', width === '100%', width);
    check('the first contact is shown against its deadline', (await page.textContent('#chart-first-contact')).includes('按时'));
    const stars = await page.locator('#chart-satisfaction .bar .fill').evaluateAll((fills) => fills.map((f) => parseFloat(f.style.width)));
    const scaled = figures.satisfaction.series.map((x) => (x.average / 5) * 100);
    check('the satisfaction series is drawn on the 5-star scale', stars.length > 0 && stars.length === scaled.length &&
      stars.every((w, i) => Math.abs(w - scaled[i]) < 0.01), `${stars} vs ${scaled}`);
    // A period with nothing in it redraws the charts empty.
    await page.fill('#report-filters input[name=to]', '2020-01-31');
    await page.dispatchEvent('#report-filters input[name=to]', 'change');
    await settled(page, '#report-filters input[name=to][value="2020-01-31"]');
    check('a past period counts nothing', (await page.textContent('#chart-appeals .bar[data-group=upheld] .value')).trim() === '0' &&
      await page.locator('#chart-complaint-types .bar').count() === 0);
    await page.fill('#report-filters input[name=to]', '');
    await page.dispatchEvent('#report-filters input[name=to]', 'change');
    await settled(page, '#report-filters input[name=to][value=""]');
    check('an open period counts the appeal again', (await page.textContent('#chart-appeals .bar[data-group=upheld] .value')).trim() === '1');
    // The CSV download: the server's file, UTF-8 with its byte order mark, Chinese intact.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const csv = fs.readFileSync(await download.path());
    check('the CSV is downloaded with its name', download.suggestedFilename().startsWith('care-report') && download.suggestedFilename().endsWith('.csv'), download.suggestedFilename());
    check('the CSV starts with a byte order mark and its header', csv.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) &&
      csv.toString('utf8').slice(1).startsWith('section,figure,group,period,count,value\r\n'), csv.toString('utf8').slice(0, 60));
    check('the CSV holds the appeals decided', csv.toString('utf8').includes('appeals,decided.upheld,,,,1\r\n'));
    await check_axe(page, 'the care desk figures (zh-CN)');
    await page.click('header button.link:not(#sign-out)');
    await tab(page, 'report', '#chart-appeals');
    check('the figures read in English too', (await page.textContent('#chart-first-contact')).includes('In time'));
    await check_axe(page, 'the care desk figures (en)');
    await page.screenshot({ path: path.join(shots, 'care-desk-supervisor.png') });
    await page.close();
  });

  await scenario('the portal: a customer account signs in, sees its repairs and exchanges messages', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/portal/#/account`);
    await page.fill('#account-form input[name=username]', 'customer.liu');
    await page.fill('#account-form input[name=password]', 'demo-password-1');
    const listed = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/jobs');
    await page.click('#account-form button[type=submit]');
    await page.waitForSelector('#my-jobs li');
    const headers = (await listed).headers();
    check('the portal sends its language and time zone with its requests', headers['accept-language'] === 'zh-CN' &&
      headers['time-zone'] === 'Asia/Shanghai', `${headers['accept-language']} ${headers['time-zone']}`);
    const mine = await server.must('GET', '/api/v1/jobs', { token: liu });
    check('the account sees all its repairs', (await page.locator('#my-jobs li').count()) === mine.total, `${mine.total}`);
    await page.click(`#my-jobs a:has-text("${job.ticket_no}")`);
    await page.waitForSelector('#messages');
    check('the repair page shows the expected finish', await page.isVisible('#expected-finish'));
    check('the desk’s reply is there', (await page.textContent('#messages')).includes('师傅下午两点到'));
    await page.fill('#messages textarea', '好的，谢谢');
    await page.click('#send-message');
    await page.waitForSelector('#messages li:has-text("好的，谢谢")');
    const waiting = await server.must('GET', '/api/v1/messages/waiting', { token: agent });
    check('the customer’s message waits on the care desk', waiting.items.some((m) => m.job_id === job.id && m.body === '好的，谢谢'));
    await page.screenshot({ path: path.join(shots, 'portal-account-messages.png') });

    // Evidence with a complaint: a file of the wrong kind is refused in the page; a JPEG photo goes with it.
    await page.selectOption('#care-request select[name=kind]', 'k_quality_of_repair');
    await page.fill('#care-request textarea[name=text]', '空调修后仍漏水');
    await page.setInputFiles('#care-request input[name=evidence]', { name: 'clip.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
    await page.click('#care-request button[type=submit]');
    await page.waitForSelector('#care-request-error:not([hidden])');
    check('a GIF is refused before anything is sent', (await page.textContent('#care-request-error')).includes('clip.gif'));
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('leak photo')]);
    await page.setInputFiles('#care-request input[name=evidence]', { name: '漏水.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.click('#care-request button[type=submit]');
    await page.waitForSelector('#care-request-sent');
    const complaints = await server.must('GET', `/api/v1/complaints?job_id=${job.id}`, { token: agent });
    const sent = complaints.items.find((k) => k.description === '空调修后仍漏水');
    check('the complaint arrived with its photo as evidence', sent && sent.evidence.length === 1, JSON.stringify(sent));
    await page.screenshot({ path: path.join(shots, 'portal-evidence.png') });

    await page.goto(`${server.url}/portal/#/report`);
    await page.waitForSelector('#report-form input[name=email]');
    check('the report form asks for an email and SMS consent', await page.isVisible('#report-form input[name=sms_consent]'));
    await page.close();
  });

  await scenario('the board shows a new customer message and answers it', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/board/`);
    await page.fill('#login input[name=username]', 'dispatcher');
    await page.fill('#login input[name=password]', 'demo-password-1');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('body[data-ready=true]');
    await server.must('POST', `/api/v1/jobs/${job.id}/messages`, { token: liu, body: { body: '<b>加急</b>请回电' } }, 201);
    const row = `#board-messages li[data-job-id="${job.id}"]`;
    // The panel polls: the job's row shows the newest customer message within seconds.
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '<b>加急</b>请回电',
      `${row} .msg-body`, { timeout: 20_000 });
    check('a new customer message shows on the board, as text',
      (await page.textContent(`${row} .msg-body`)) === '<b>加急</b>请回电' && (await page.locator('#board-messages b').count()) === 0);
    await page.click('#board-messages summary');
    await page.screenshot({ path: path.join(shots, 'board-messages.png') });
    await page.fill(`${row} input[name=reply]`, '马上回电');
    await page.click(`${row} button`);
    await page.waitForSelector('#board-messages', { state: 'hidden' });  // nothing waits any more
    const thread = await server.must('GET', `/api/v1/jobs/${job.id}/messages`, { token: liu });
    check('the board’s answer reaches the customer', thread.items.at(-1).body === '马上回电' && thread.items.at(-1).author_role === 'dispatcher');
    await page.close();
  });
} catch (e) {
  check('the care browser tests ran', false, e.stack || String(e));
} finally {
  await close();
  if (any_failed()) console.log(`--- server log (last lines)\n${server.log()}`);
  await server.stop();
}
finish();
