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

// What the axe scan has covered so far, in order.
export const axe_scanned = () => [...scanned];

// Prints "N passed, M failed" and ends the process with its status.
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
