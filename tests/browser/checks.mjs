// The browser tests' shared tally (every suite in tests/browser and mobile-core/wasm/tests/worker_browser.mjs):
// named checks printed as PASS/FAIL, scenarios that fail as one check when they throw, the axe-core scan with the
// list of what it covered, and the summary line and exit code the ctest entries read.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let passed = 0, failed = 0;
const scanned = [];

export function check(label, ok, detail = '') {
  if (ok) { passed += 1; console.log(`PASS ${label}`); } else { failed += 1; console.log(`FAIL ${label}${detail ? `: ${detail}` : ''}`); }
  return ok;
}

export function any_failed() { return failed > 0; }

// Runs one scenario; an exception fails it (and names where it stopped) without stopping the others.
export async function scenario(name, fn) {
  console.log(`--- ${name}`);
  try { await fn(); } catch (e) { check(`${name} ran to the end`, false, e.stack || String(e)); }
}

// The axe-core scan of what the page shows now: no serious or critical violations.
export async function check_axe(page, where) {
  // Evaluated through the DevTools protocol: the pages' Content-Security-Policy rightly refuses inline scripts.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  scanned.push(where);
  return check(`axe: no serious or critical violations on ${where}`, found.length === 0, found.join('\n  '));
}

// Whether a Playwright wait ends within its timeout: a wait that times out is a false for the check that follows
// (which then asserts what it names), not an exception that ends the scenario.
export const settles = (wait) => wait.then(() => true, () => false);

// Runs act (a click whose result the page announces in its #toast) and waits for that toast. A toast still showing
// from an earlier action (they stay for seconds, often with the same "Saved") is hidden first, so it cannot stand in
// for this one while the request is still on its way.
export async function after_toast(page, act) {
  await page.locator('#toast').evaluate((el) => { el.hidden = true; });
  await act();
  await page.waitForSelector('#toast:not([hidden])');
}

// The box of the element selector names, measured in one turn of the page's script: an element the page redraws on
// a timer (the board's lanes) cannot be swapped between finding and measuring it, as with locator.boundingBox().
export async function box_of(page, selector) {
  await page.waitForSelector(selector);
  return page.evaluate((sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }, selector);
}

// What the axe scan has covered so far, in order.
export const axe_scanned = () => [...scanned];

// Prints "N passed, M failed" and ends the process with its status.
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
