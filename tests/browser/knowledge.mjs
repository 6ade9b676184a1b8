// Browser test of the board's knowledge search (issue 14, 知识共享) against the real server with the demo shop: the
// dialog from the tools, words (a two-character Chinese query too) with a product type, the results with their
// findings, the empty and the refused search shown in words, and the axe scan.
// Usage: node knowledge.mjs <fieldrepair-server> [<screenshot folder>]; prints "N passed, M failed".
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { start_server, launch_browser } from './server.mjs';
import { check, check_axe, any_failed, finish } from './checks.mjs';

const [binary, shots = path.resolve('build/screenshots')] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node knowledge.mjs <fieldrepair-server> [<screenshot folder>]');
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });

const server = await start_server(binary);
const { context, close } = await launch_browser(chromium, { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
try {
  const dispatcher = await server.login('dispatcher');
  // The demo's fridge job found a faulty thermostat; its product type is set so the filter has something to match.
  const found = await server.must('GET', `/api/v1/knowledge?q=${encodeURIComponent('温控器')}`, { token: dispatcher });
  const fridge = found.items[0];
  const catalog = await server.must('GET', '/api/v1/fault-categories?limit=200', { token: dispatcher });
  const product = catalog.items.find((e) => !e.parent_id);
  await server.must('POST', `/api/v1/jobs/${fridge.job_id}/actions/triage`,
    { token: dispatcher, body: { reason: '分类', product_type: product.code } });

  const page = await context.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/board/`);
  await page.fill('#login input[name=username]', 'agent');
  await page.fill('#login input[name=password]', 'demo-password-1');
  await page.click('#login button[type=submit]');
  await page.waitForSelector('body[data-ready=true]');
  await page.click('#knowledge');
  await page.waitForSelector('#knowledge-dialog');
  check('the knowledge search opens from the board’s tools, focus in its words field',
    await page.evaluate(() => document.activeElement?.id === 'kn-q'));

  await page.fill('#kn-q', '温控');
  await page.selectOption('#kn-product', product.code);
  await page.click('#kn-form button[type=submit]');
  await page.waitForSelector(`#kn-results li[data-job-id="${fridge.job_id}"]`);
  const text = await page.textContent(`#kn-results li[data-job-id="${fridge.job_id}"]`);
  check('a two-character Chinese query with a product type finds the past repair with its findings',
    text.includes('温控器故障') && text.includes(product.name), text);
  check('the count is said in words', /共 \d+ 条维修记录/.test(await page.textContent('#kn-status')));
  await check_axe(page, 'the knowledge search');
  await page.screenshot({ path: path.join(shots, 'board-knowledge.png') });

  await page.fill('#kn-q', '潜水艇');
  await page.click('#kn-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#kn-status')?.textContent === '没有匹配的维修记录。');
  check('a search that finds nothing says so', (await page.locator('#kn-results li').count()) === 0);
  // Past the field's own limit (a pasted text), the server's refusal is what the agent reads.
  await page.evaluate(() => { document.querySelector('#kn-q').removeAttribute('maxlength'); });
  await page.fill('#kn-q', '冷'.repeat(201));
  await page.click('#kn-form button[type=submit]');
  await page.waitForFunction(() => /200/.test(document.querySelector('#kn-status')?.textContent || ''));
  const refusal = await page.textContent('#kn-status');
  check('an over-long query is refused by the server and the message is shown',
    refusal.includes('200') && (await page.locator('#kn-results li').count()) === 0, refusal);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#knowledge-dialog', { state: 'detached' });
  check('Esc closes the knowledge search', (await page.locator('#knowledge-dialog').count()) === 0);

  check('the page raised no script errors', errors.length === 0, errors.join('\n'));
  await page.close();
} catch (e) {
  check('the knowledge browser test ran', false, e.stack || String(e));
} finally {
  await close();
  if (any_failed()) console.log(`--- server log (last lines)\n${server.log()}`);
  await server.stop();
}
finish();
