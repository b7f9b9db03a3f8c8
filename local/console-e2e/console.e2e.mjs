// Drives the reviewer console in a real headless Chromium (Debian's package, through playwright-core) against the
// local API that ConsoleBrowserTest starts, and saves a screenshot of each view. Prints one JSON line of results;
// exits non-zero with the failed check on stderr.
//
// usage: node console.e2e.mjs CONSOLE_URL SCREENSHOT_DIR RELEASE_KEY CHILD_SAFETY_KEY
import { chromium } from "playwright-core";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const [consoleUrl, screenshotDir, releaseKey, childSafetyKey] = process.argv.slice(2);
if (!childSafetyKey) {
  console.error("usage: node console.e2e.mjs CONSOLE_URL SCREENSHOT_DIR RELEASE_KEY CHILD_SAFETY_KEY");
  process.exit(64);
}
const executablePath = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"]
    .find((path) => path && existsSync(path));
if (!executablePath) {
  console.error("No Chromium found: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH");
  process.exit(3);
}
mkdirSync(screenshotDir, { recursive: true });

const checks = [];
function check(condition, what) {
  if (!condition) throw new Error("check failed: " + what);
  checks.push(what);
}

// Root in a CI container cannot use Chromium's user-namespace sandbox.
let page;
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
const pageErrors = [];
const screenshots = [];
try {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  // Content-security-policy violations and failed scripts arrive as console errors.
  page.on("console", (message) => { if (message.type() === "error") pageErrors.push(message.text()); });
  const shoot = async (name) => {
    const path = join(screenshotDir, name + ".png");
    await page.screenshot({ path, fullPage: true });
    screenshots.push(path);
  };

  // Queue
  await page.goto(consoleUrl);
  const rows = page.locator("[data-testid=queue-row]");
  await rows.first().waitFor({ timeout: 15000 });
  check(!page.url().includes("token="), "the token is taken out of the address bar");
  check(await rows.count() >= 2, "the queue lists the held items");
  const keys = await rows.locator("code").allTextContents();
  check(keys.includes(releaseKey) && keys.includes(childSafetyKey), "both items are in the queue: " + keys);
  const deadline = await rows.filter({ hasText: releaseKey }).locator("[data-testid=deadline]").textContent();
  check(/^1h \d+m left$/.test(deadline), "a notice's deadline counts down in the queue: " + deadline);
  await shoot("1-queue");

  // An ordinary quarantined item: blurred and grey until asked, then shown
  await rows.filter({ hasText: releaseKey }).click();
  const preview = page.locator("[data-testid=preview]");
  await preview.waitFor({ timeout: 15000 });
  check(await preview.evaluate((img) => img.complete && img.naturalWidth > 0), "the preview image decodes");
  check(await preview.evaluate((img) => img.classList.contains("shielded")
      && getComputedStyle(img).filter.includes("blur") && getComputedStyle(img).filter.includes("grayscale")),
      "the image starts blurred and grey");
  const labelsText = await page.locator("#labels").textContent();
  check(/\d+\.\d%/.test(labelsText), "labels are shown with confidences");
  check((await page.locator("#facts").textContent()).includes("Policy"), "policy and engine versions are shown");
  await shoot("2-item-blurred");
  await page.locator("[data-testid=unblur]").click();
  // The filter fades out over a moment.
  check(await page.waitForFunction(() => {
    const img = document.querySelector("[data-testid=preview]");
    return !img.classList.contains("shielded") && getComputedStyle(img).filter === "none";
  }, null, { timeout: 5000 }).then(() => true, () => false), "an explicit click shows the image");
  await shoot("3-item-unblurred");

  // Release by keyboard: refused without a reason, accepted with one
  await page.locator("#item-title").click();
  await page.keyboard.press("r");
  await page.locator("[data-testid=message].error").waitFor({ timeout: 5000 });
  check((await page.locator("[data-testid=message]").textContent()).includes("reason is required"),
      "a decision without a reason is refused");
  await page.locator("[data-testid=reason]").fill("Context checked: an anatomy textbook illustration, allowed.");
  await page.locator("#item-title").click();
  await page.keyboard.press("r");
  await page.locator("[data-testid=message]", { hasText: "Released" }).waitFor({ timeout: 15000 });
  check(!(await page.locator("[data-testid=queue-row] code").allTextContents()).includes(releaseKey),
      "the released item leaves the queue");
  await shoot("4-released");

  // A child-safety item: no image element at all, the two-reviewer rule visible
  await rows.filter({ hasText: childSafetyKey }).click();
  await page.locator("[data-testid=never-shown]").waitFor({ timeout: 15000 });
  await page.waitForTimeout(500);
  check(await page.locator("img").count() === 0, "no image element exists for a child-safety item");
  check((await page.locator("[data-testid=two-reviewers]").textContent()).includes("two different reviewers"),
      "the two-reviewer rule is shown");
  check((await page.locator("#facts").textContent()).includes("SHA-256"), "hashes are shown instead");
  await shoot("5-child-safety");

  // The first reviewer's release of a child-safety item is recorded and waits for a second, different reviewer.
  await page.locator("[data-testid=reason]").fill("Adult performer; age verified from the production records.");
  await page.locator("#item-title").click();
  await page.keyboard.press("r");
  await page.locator("[data-testid=message]", { hasText: "second, different reviewer" }).waitFor({ timeout: 15000 });
  await rows.filter({ hasText: childSafetyKey }).click();
  await page.locator("[data-testid=never-shown]").waitFor({ timeout: 15000 });
  check((await page.locator("[data-testid=two-reviewers]").textContent()).includes("1 of 2"),
      "one of the two releases is recorded and shown");
  check(await page.locator("img").count() === 0, "still no image element");
  await shoot("6-child-safety-one-release");

  check(pageErrors.length === 0, "no script errors or policy violations: " + pageErrors.join(" | "));
  console.log(JSON.stringify({ ok: true, checks, screenshots }));
} catch (error) {
  console.error(error.message);
  console.error("page errors: " + JSON.stringify(pageErrors));
  if (page) console.error("console message: " + await page.locator("[data-testid=message]").textContent().catch(() => "?"));
  console.log(JSON.stringify({ ok: false, checks, screenshots, error: error.message }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
