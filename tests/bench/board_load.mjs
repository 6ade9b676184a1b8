// Benchmark: how fast the dispatcher board is interactive in headless Chromium with 500 technicians and 10,000
// open jobs, seeded through the API into a fresh server. Not a pass/fail test; prints the figures.
// Usage: node tests/bench/board_load.mjs <fieldrepair-server> [technicians=500] [jobs=10000] [runs=5]
// Needs playwright-core from tests/browser (npm ci --prefix tests/browser) and /usr/bin/chromium.
import { createRequire } from 'node:module';
import { start_server, launch_browser } from '../browser/server.mjs';

const { chromium } = createRequire(new URL('../browser/package.json', import.meta.url))('playwright-core');
const [binary, techs = '500', jobs = '10000', runs = '5'] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node tests/bench/board_load.mjs <fieldrepair-server> [technicians] [jobs] [runs]');
  process.exit(2);
}
const TECHNICIANS = Number(techs), JOBS = Number(jobs), RUNS = Number(runs);

// Runs f(i) for i in [0, n) with at most `width` calls in flight.
async function pool(n, width, f) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < n) await f(next++); }));
}

const server = await start_server(binary, { FIELDREPAIR_LOG_LEVEL: 'error' });
try {
  const seeded = Date.now();
  const admin = await server.login('admin', 'admin-password-1');
  const regions = ['浦东新区', '徐汇区', '闵行区', '静安区', '黄浦区', '长宁区', '普陀区', '杨浦区'];
  const skills = ['洗衣机', '空调', '冰箱', '电视', '热水器'];
  const tech_ids = [];
  await pool(TECHNICIANS, 8, async (i) => {
    const u = await server.must('POST', '/api/v1/users', { token: admin, body: {
      username: `bench.tech${i}`, password: 'bench-password-1', name: `技师${String(i).padStart(3, '0')}`, role: 'technician',
      region: regions[i % regions.length], skills: { [skills[i % skills.length]]: 1 + (i % 5) },
      home_location: { lat: 31.1 + (i % 20) * 0.01, lng: 121.3 + (i % 25) * 0.01 } } }, 201);
    tech_ids.push(u.id);
  });
  const customers = [];
  await pool(200, 8, async (i) => {
    const c = await server.must('POST', '/api/v1/customers', { token: admin, body: {
      name: `客户${i}`, phone: `1380000${String(i).padStart(4, '0')}`, address: `上海市${regions[i % regions.length]}测试路${i}号`,
      location: { lat: 31.1 + (i % 30) * 0.01, lng: 121.3 + (i % 30) * 0.01 } } }, 201);
    const a = await server.must('POST', '/api/v1/assets', { token: admin, body: {
      customer_id: c.id, model: `海尔 EG${100 + (i % 9)} 洗衣机`, serial_no: `BENCH-${i}` } }, 201);
    customers.push({ id: c.id, asset: a.id });
  });
  const priorities = ['low', 'normal', 'normal', 'high', 'urgent'];
  await pool(JOBS, 8, async (i) => {
    const c = customers[i % customers.length];
    const job = await server.must('POST', '/api/v1/jobs', { token: admin, body: {
      customer_id: c.id, asset_id: c.asset, description: `洗衣机故障 #${i}：不排水，显示E21`, priority: priorities[i % priorities.length],
      category: skills[i % skills.length] } }, 201);
    // A fifth of the jobs are with a technician already.
    if (i % 5 === 0)
      await server.must('POST', `/api/v1/jobs/${job.id}/actions/assign`, { token: admin, body: { technician_id: tech_ids[i % tech_ids.length] } });
  });
  const open = (await server.must('GET', '/api/v1/jobs?limit=1&state=reported,assessing', { token: admin })).total;
  console.log(`seeded ${TECHNICIANS} technicians and ${open} open jobs in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

  const dispatcher = await server.login('dispatcher');
  const { context, close } = await launch_browser(chromium, { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    await context.addInitScript((token) => {
      sessionStorage.setItem('board.token', token);
    }, dispatcher);
    const figures = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await context.newPage();
      await page.goto(`${server.url}/board/`, { waitUntil: 'commit' });
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      const m = await page.evaluate(() => {
        const mark = performance.getEntriesByName('board-interactive')[0];
        const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
        return { interactive: mark.startTime, queue: at('board-queue-loaded'), technicians: at('board-technicians-loaded'), rows: document.querySelectorAll('#queue .job[data-job-id]').length,
          lanes: document.querySelectorAll('#technicians .tech').length, total: document.querySelector('.panel-head small').textContent };
      });
      // Scrolling to the middle of the queue: time until the rows there are filled in from the server.
      const scroll = await page.evaluate(async () => {
        const q = document.getElementById('queue');
        const t0 = performance.now();
        q.scrollTop = q.scrollHeight / 2;
        // Done when the rows at the new position are drawn from data (their page fetched), not placeholders.
        const filled = () => {
          const rows = [...q.querySelectorAll('.job')].filter((r) => parseFloat(r.style.top) >= q.scrollTop - 62);
          return rows.length > 0 && rows.every((r) => r.dataset.jobId);
        };
        while (!filled()) await new Promise((r) => requestAnimationFrame(r));
        return performance.now() - t0;
      });
      figures.push({ ...m, scroll });
      console.log(`run ${run + 1}: interactive ${m.interactive.toFixed(0)} ms (first queue page ${m.queue.toFixed(0)} ms, ` +
        `technicians ${m.technicians.toFixed(0)} ms; ${m.rows} rows, ${m.lanes} technician lanes in the DOM; ${m.total}), ` +
        `scroll to the middle filled in ${scroll.toFixed(0)} ms`);
      await page.close();
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`board interactive: median ${median(figures.map((f) => f.interactive)).toFixed(0)} ms, ` +
      `worst ${Math.max(...figures.map((f) => f.interactive)).toFixed(0)} ms over ${RUNS} loads ` +
      `(${TECHNICIANS} technicians, ${open} open jobs); scroll fill-in median ${median(figures.map((f) => f.scroll)).toFixed(0)} ms`);
  } finally {
    await close();
  }
} finally {
  await server.stop();
}
