// Drives the verifier page in Chromium (Debian's, through playwright-core) over the cases a
// test prepared, and writes what the page said:
//   node browser.mjs CASES.json RESULTS.json
// CASES.json: { url, chromium, screenshots, cases: [{ name, files: { inputId: path }, root?,
// stop?: true, download?: true }], repeat_preview?: name }. Each case gets a fresh page; its section's verdict
// is awaited and screenshotted. Any console error or uncaught exception is recorded (the test
// fails on one). cli/tests/integration/browser.rs prepares the cases and compares the verdicts
// with the native verifier's.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const [casesFile, resultsFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(casesFile, "utf8"));
const require = createRequire(`${spec.tools}/`);
const { chromium } = require("playwright-core");
mkdirSync(spec.screenshots, { recursive: true });

const FINAL = ["accepted", "refused", "unchecked"];
const browser = await chromium.launch({
  executablePath: spec.chromium,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
const problems = [];
const results = { cases: {}, problems, load: [], preview_ms: [] };

async function open() {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  const t0 = Date.now();
  await page.goto(spec.url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  const ms = Date.now() - t0;
  const bytes = await page.evaluate(() => {
    const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
    return {
      transfer: entries.reduce((n, e) => n + (e.transferSize || 0), 0),
      decoded: entries.reduce((n, e) => n + (e.decodedBodySize || 0), 0),
      files: entries.map((e) => [e.name.replace(location.origin, ""), e.transferSize, e.decodedBodySize]),
    };
  });
  results.load.push({ ms, ...bytes });
  return page;
}

const sectionOf = (id) => id.split("-")[0];

async function verdict(page, section, timeout = 120_000) {
  await page.waitForFunction(
    ([s, f]) => f.includes(document.getElementById(`${s}-verdict`).dataset.outcome),
    [section, FINAL],
    { timeout },
  );
  return page.evaluate((s) => {
    const v = document.getElementById(`${s}-verdict`);
    return { outcome: v.dataset.outcome, text: v.textContent, ms: v.dataset.ms, seconds: v.dataset.seconds, workers: v.dataset.workers, arithmetic: v.dataset.arithmetic };
  }, section);
}

for (const c of spec.cases) {
  const page = await open();
  // The files themselves (`*-file`) last: a section checks once its inputs are all there, and
  // a ciphertext with no key yet would be checked before payment instead of decrypted.
  const ids = Object.keys(c.files).sort((a, b) => a.endsWith("-file") - b.endsWith("-file"));
  const section = sectionOf(ids[0]);
  if (c.root !== undefined) await page.fill("#report-root", c.root);
  for (const id of ids) await page.setInputFiles(`#${id}`, c.files[id]);
  let r;
  if (c.stop) {
    // A file far larger than the test waits for: the page must keep answering while the
    // workers read it, show progress, and stop when asked.
    await page.waitForFunction(() => document.getElementById("delivery-progress").value > 0, null, { timeout: 60_000 });
    const t0 = Date.now();
    await page.evaluate(() => document.getElementById("delivery-rate").textContent);
    const answered = Date.now() - t0;
    await page.click("#delivery-cancel");
    r = { ...(await verdict(page, section)), answered_ms: answered };
  } else {
    r = await verdict(page, section);
  }
  if (c.name === spec.repeat_preview) {
    // The preview again, a few times on the loaded page: the verification time.
    for (let k = 0; k < 5; k++) {
      await page.setInputFiles("#preview-file", []);
      await page.setInputFiles("#preview-file", c.files["preview-file"]);
      const again = await verdict(page, section);
      results.preview_ms.push(Number(again.ms));
    }
  }
  if (c.download) {
    // The decrypted file the page offers, as text (null when it offers none).
    [r.download, r.download_name] = await page.evaluate(async () => {
      const a = document.getElementById("delivery-download");
      return a.hidden || !a.href ? [null, null] : [await (await fetch(a.href)).text(), a.download];
    });
  }
  r.rows = await page.locator(`#${section} tbody tr`).count();
  await page.locator(`#${section}`).screenshot({ path: `${spec.screenshots}/${c.name}.png` });
  results.cases[c.name] = r;
  await page.close();
}

// A phone's width: no sideways scrolling of the page itself, every input labelled.
if (spec.repeat_preview) {
  const page = await open();
  await page.setViewportSize({ width: 390, height: 844 });
  const first = spec.cases.find((c) => c.name === spec.repeat_preview);
  for (const [id, path] of Object.entries(first.files)) await page.setInputFiles(`#${id}`, path);
  await verdict(page, "preview");
  results.phone = await page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    unlabelled: [...document.querySelectorAll("input")].filter((i) => i.labels.length === 0).map((i) => i.id),
  }));
  await page.screenshot({ path: `${spec.screenshots}/phone.png`, fullPage: true });
  // Keyboard: Tab reaches the first file input.
  await page.keyboard.press("Tab");
  results.phone.first_tab = await page.evaluate(() => document.activeElement?.id ?? null);
  await page.close();
}

await browser.close();
writeFileSync(resultsFile, JSON.stringify(results, null, 2));
