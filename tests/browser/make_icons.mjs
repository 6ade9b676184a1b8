// Renders the technician app's PNG icons from its SVGs with headless Chromium (the committed PNGs come from here):
// icon-192.png and icon-512.png (purpose any), icon-maskable-512.png, apple-touch-icon.png (180 px, iPad's home
// screen). Usage: node tests/browser/make_icons.mjs [server/web/tech]
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const folder = path.resolve(process.argv[2] || 'server/web/tech');
const icons = [['icon.svg', 'icon-192.png', 192], ['icon.svg', 'icon-512.png', 512],
  ['icon-maskable.svg', 'icon-maskable-512.png', 512], ['icon-maskable.svg', 'apple-touch-icon.png', 180]];
const browser = await chromium.launch({ executablePath: process.env.FIELDREPAIR_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const [svg, png, size] of icons) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const data = fs.readFileSync(path.join(folder, svg)).toString('base64');
    await page.setContent(`<body style="margin:0"><img src="data:image/svg+xml;base64,${data}" width="${size}" height="${size}"></body>`);
    await page.waitForFunction(() => document.images[0].complete);
    // The rounded "any" icon keeps its transparent corners; the others are square and opaque.
    await page.screenshot({ path: path.join(folder, png), omitBackground: svg === 'icon.svg' });
    await page.close();
    console.log(`${png} ${size}×${size}`);
  }
} finally {
  await browser.close();
}
