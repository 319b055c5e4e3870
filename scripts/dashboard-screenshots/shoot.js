// Opens the Aspire dashboard of a running AppHost in headless Chromium and saves the pages MONITORING_SETUP.md shows:
// the resources, the Traces page, the first chat request's span, and its GenAI view.
// Usage: node shoot.js <dashboard login URL> <output directory>
const { chromium } = require('playwright-core');
const path = require('path');

(async () => {
  const [login, out] = process.argv.slice(2);
  const origin = new URL(login).origin;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1500, height: 860 } });
  // The dashboard warns that no development certificate is trusted (no HTTPS here): not part of what is shown.
  const open = async (url) => {
    await page.goto(url);
    await page.waitForTimeout(4000);
    await page.evaluate(() => document.querySelectorAll('.messagebar-container, .top-messagebar').forEach(e => e.remove()));
    await page.waitForTimeout(300);
  };
  const save = (name) => page.screenshot({ path: path.join(out, name) });

  await page.goto(login);
  await page.waitForTimeout(3000);
  await open(`${origin}/`);
  await save('dashboard-resources.png');
  await open(`${origin}/traces`);
  await save('dashboard-traces.png');
  await page.locator('text=gateway: POST /v1/chat/completions').first().click();
  await page.waitForTimeout(3000);
  await page.evaluate(() => document.querySelectorAll('.messagebar-container, .top-messagebar').forEach(e => e.remove()));
  await page.locator('td.expand-col[title="gateway: POST /v1/chat/completions"]').first().click();
  await page.waitForTimeout(3000);
  await save('dashboard-span.png');
  await open(`${origin}/traces`);
  await page.locator('fluent-button[aria-label="GenAI details"]').first().click();
  await page.waitForTimeout(3000);
  await save('dashboard-genai.png');
  await browser.close();
})().catch((error) => { console.error(error.message); process.exit(1); });
