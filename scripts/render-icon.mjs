// Renders client/media/icon.svg into client/media/icon.png (128x128, transparent corners),
// the icon of the .vsix (package.json "icon"). Run after changing the SVG and commit both:
//   node scripts/render-icon.mjs
// Uses the Chromium the extension tests use (Debian's chromium; DJ_CHROMIUM elsewhere).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const media = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'client', 'media');
const svg = readFileSync(join(media, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.DJ_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'], headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(media, 'icon.png'), omitBackground: true });
  console.log(`render-icon: ${join(media, 'icon.png')}`);
} finally {
  await browser.close();
}
