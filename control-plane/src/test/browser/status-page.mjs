// Drives the control plane's status page in headless Debian chromium: waits until every region is shown, prints
// READY, then waits until region $REGION turns down and the timeline shows its failover, and keeps a screenshot.
// Usage: node status-page.mjs <control-plane-url> <region> <screenshot.png> <timeout-ms>
import { createRequire } from 'node:module';
const require = createRequire(process.env.PLAYWRIGHT_HOME + '/node_modules/');
const { chromium } = require('playwright-core');

const [url, region, screenshot, timeoutArg] = process.argv.slice(2);
const timeout = Number(timeoutArg || 60000);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
let exitCode = 1;
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.error('page: ' + m.text()));
  await page.goto(url, { timeout });
  await page.waitForSelector(`#regions tr[data-region="${region}"] [data-state]`, { timeout });
  await page.waitForFunction(() => document.getElementById('feed').textContent === 'live', null, { timeout });
  console.log('READY');
  await page.waitForSelector(`#regions tr[data-region="${region}"] [data-state="down"]`, { timeout });
  await page.waitForSelector(`#timeline li[data-what="failover"][data-region="${region}"]`, { timeout });
  console.log('DOWN ' + (await page.textContent(`#timeline li[data-region="${region}"]`)));
  await page.screenshot({ path: screenshot, fullPage: true });
  exitCode = 0;
} catch (err) {
  console.error('status page test: ' + err);
} finally {
  await browser.close();
}
process.exit(exitCode);
