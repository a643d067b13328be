// PNG screenshots of the main pages at 1280 px and 390 px (a phone), for the README:
//   node e2e/screenshots.mjs [folder]      (default docs/screenshots)
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { root, startServer, launchBrowser, signIn, DEMO_SUPERVISOR } from "./lib.mjs";

const folder = join(root, process.argv[2] || "docs/screenshots");
mkdirSync(folder, { recursive: true });
const server = await startServer();
const context = await launchBrowser();
try {
  const page = await context.newPage();
  const shoot = async (name) => {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.screenshot({ path: join(folder, `${name}-${width}.png`), fullPage: width === 1280 ? false : true });
    }
    console.log(`wrote ${name}`);
  };
  // The customer's side.
  await page.goto(`${server.url}/apply`);
  await shoot("apply");
  await page.fill("#customer_name", "Rina Wijaya");
  await page.fill("#id_number", "3174015201900001");
  await page.fill("#msisdn", "0838-4444-0707");
  await page.fill("#account_number", "7700123456");
  await page.selectOption("#line_type", "postpaid");
  await page.fill("#contact_email", "rina@example.com");
  await page.selectOption("#reason", "switching_operator");
  await page.fill("#requested_effective_date", new Date(Date.now() + 21 * 86400000).toISOString().slice(0, 10));
  await page.selectOption("#settlement", "forfeit");
  await page.setInputFiles("#identity_card", join(root, "tests/fixtures/ktp.jpg"));
  await page.check("#consent");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
  await shoot("apply-received");
  const applied = (await page.textContent("#reference")).trim();
  await page.goto(`${server.url}/status`);
  await page.fill("#reference", applied);
  await page.fill("#msisdn", "0838 4444 0707");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
  await shoot("status");

  await page.goto(`${server.url}/login`);
  await shoot("login");
  await signIn(page, server.url);
  await page.goto(`${server.url}/queue`);
  await shoot("queue");
  await page.goto(`${server.url}/queue?state=in_review`);
  const reference = await page.textContent("tbody tr.case-row a.ref");
  await page.goto(`${server.url}/cases/${reference}`);
  await shoot("case");
  await page.goto(`${server.url}/bulk?scope=filter&state=submitted`);
  await shoot("bulk");
  await Promise.all([page.waitForNavigation(), page.click("header .who form button")]);
  await signIn(page, server.url, DEMO_SUPERVISOR);
  await page.goto(`${server.url}/reports?period=30`);
  await shoot("reports");
  // The customer's pages in Bahasa Indonesia (a phone set to Indonesian: Accept-Language id).
  const indonesian = await launchBrowser({ locale: "id-ID" });
  const phone = await indonesian.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  const shootId = async (name) => {
    await phone.screenshot({ path: join(folder, `${name}-id-390.png`), fullPage: true });
    console.log(`wrote ${name} (id)`);
  };
  await phone.goto(`${server.url}/apply`);
  await shootId("apply");
  await phone.fill("#customer_name", "Putu Ayu Lestari");
  await phone.fill("#id_number", "5171014507900002");
  await phone.fill("#msisdn", "0838-4444-0808");
  await phone.fill("#account_number", "7700123457");
  await phone.selectOption("#line_type", "prepaid");
  await phone.fill("#contact_email", "putu@example.com");
  await phone.selectOption("#reason", "moving_abroad");
  await phone.fill("#requested_effective_date", new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10));
  await phone.selectOption("#settlement", "forfeit");
  await phone.setInputFiles("#identity_card", join(root, "tests/fixtures/ktp.jpg"));
  await phone.check("#consent");
  await Promise.all([phone.waitForNavigation(), phone.click("button[type=submit].primary")]);
  await shootId("apply-received");
  const referenceId = (await phone.textContent("#reference")).trim();
  await phone.goto(`${server.url}/status`);
  await phone.fill("#reference", referenceId);
  await phone.fill("#msisdn", "0838 4444 0808");
  await Promise.all([phone.waitForNavigation(), phone.click("form.stack button[type=submit].primary")]);
  await shootId("status");
  // The desk in Bahasa Indonesia (an agent whose browser asks for it).
  const desk = await indonesian.newPage();
  await desk.setViewportSize({ width: 1280, height: 900 });
  await signIn(desk, server.url);
  await desk.goto(`${server.url}/queue`);
  await desk.screenshot({ path: join(folder, "queue-id-1280.png") });
  await desk.goto(`${server.url}/queue?state=in_review`);
  const inReview = await desk.textContent("tbody tr.case-row a.ref");
  await desk.goto(`${server.url}/cases/${inReview}`);
  await desk.screenshot({ path: join(folder, "case-id-1280.png") });
  console.log("wrote the desk (id)");
  await indonesian.close();
} finally {
  await context.close();
  server.stop();
}
