// End-to-end journeys in headless Chromium against the real server, with axe-core checks of
// each main page. On failure: a screenshot and the page HTML in e2e-artifacts/.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHmac } from "node:crypto";
import { root, startServer, launchBrowser, axeSource, signIn, DEMO_SUPERVISOR, DEMO_PASSWORD } from "./lib.mjs";

const artifacts = join(root, "e2e-artifacts");
const results = [];
let server;
let context;

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) `steps` steps from now, as an authenticator app. */
function totp(base32, steps) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of base32) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + steps));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[19] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}

/** A message's text in a language, read from its Fluent file (one-line messages only). */
function message(tag, file, id) {
  const text = readFileSync(join(root, "locales", tag, `${file}.ftl`), "utf8");
  const line = text.split("\n").find((l) => l.startsWith(`${id} = `));
  if (!line) throw new Error(`no message ${id} in ${tag}/${file}.ftl`);
  return line.slice(id.length + 3);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function axe(page, name) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }));
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
  check(serious.length === 0, `axe on ${name}: ${serious.length} serious/critical violation(s)\n  ${summary.join("\n  ")}`);
  console.log(`  axe ${name}: 0 serious/critical (${result.violations.length} minor)`);
}

async function journey(name, body, inContext = context) {
  const page = await inContext.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));
  try {
    await body(page);
    const csp = problems.filter((p) => /Content Security Policy|Refused to/.test(p));
    check(csp.length === 0, `CSP violations: ${csp.join(" | ")}`);
    results.push([name, "ok"]);
    console.log(`ok   ${name}`);
  } catch (error) {
    results.push([name, "FAILED"]);
    console.log(`FAIL ${name}: ${error.message}`);
    mkdirSync(artifacts, { recursive: true });
    const file = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
    await page.screenshot({ path: join(artifacts, `${file}.png`), fullPage: true }).catch(() => {});
    writeFileSync(join(artifacts, `${file}.html`), await page.content().catch(() => ""));
  } finally {
    await page.close();
  }
}

async function flash(page) {
  return (await page.textContent(".flash.success")) || "";
}

try {
  server = await startServer();
  console.log(`server at ${server.url}`);
  context = await launchBrowser();
  const url = server.url;

  await journey("agent signs in, filters the queue, reviews and decides cases, signs out", async (page) => {
    await page.goto(`${url}/queue`);
    check(page.url().includes("/login"), "anonymous visitors are sent to sign in");
    await axe(page, "login");
    await signIn(page, url);
    check(page.url().endsWith("/queue"), `landed on ${page.url()}`);
    await axe(page, "queue");

    // Filter: unassigned submitted cases.
    await page.selectOption("select[name=state]", "submitted");
    await page.selectOption("select[name=assignee]", "unassigned");
    await Promise.all([page.waitForNavigation(), page.click(".filters button[type=submit]")]);
    check(page.url().includes("state=submitted") && page.url().includes("assignee=unassigned"), "filters are in the address");
    const first = await page.textContent("tbody tr.case-row a.ref");

    // Open the case, look at the identity document, claim, accept it, request documents.
    await Promise.all([page.waitForNavigation(), page.click("tbody tr.case-row a.ref")]);
    check((await page.textContent("h1")).includes(first), "the case page opens");
    await axe(page, "case");
    const image = await page.$eval(".document img", (img) => img.naturalWidth);
    check(image > 0, "the identity card image is shown inline");
    const documentUrl = await page.getAttribute(".document a[target=_blank]", "href");
    const response = await page.request.get(`${url}${documentUrl}`);
    check(response.headers()["content-type"] === "image/png", "the document is served as an image");
    await Promise.all([page.waitForNavigation(), page.click("button[data-shortcut=c]")]);
    check((await flash(page)).includes("claimed"), "claimed");
    await Promise.all([page.waitForNavigation(), page.click(".document form.verdict button[value=accepted]")]);
    check((await flash(page)).includes("accepted"), "document accepted");
    await page.click("details.request summary");
    await page.check("details.request input[value=proof_of_ownership]");
    await page.fill("#request-message", "Please send a recent invoice for this line.");
    await Promise.all([page.waitForNavigation(), page.click("details.request button[type=submit]")]);
    check((await flash(page)).includes("Documents requested"), "documents requested");
    check((await page.textContent(".case-head .badge")).includes("Awaiting documents"), "state shown");
    // (The customer's upload through the link arrives with the customer pages.)

    // Approve another case: claim, accept the identity card, approve with confirmations.
    await page.goto(`${url}/queue?state=submitted&assignee=unassigned`);
    await Promise.all([page.waitForNavigation(), page.click("tbody tr.case-row a.ref")]);
    await Promise.all([page.waitForNavigation(), page.click("button[data-shortcut=c]")]);
    await Promise.all([page.waitForNavigation(), page.click(".document form.verdict button[value=accepted]")]);
    await page.click("details.approve summary");
    if (await page.$("details.approve input[name=confirm_fee]")) await page.check("details.approve input[name=confirm_fee]");
    await page.check("details.approve input[name=confirm_settlement]");
    await Promise.all([page.waitForNavigation(), page.click("details.approve button[type=submit]")]);
    check((await flash(page)).includes("approved"), "approved");
    check((await page.textContent(".timeline")).includes("Approved"), "history shows the approval");

    // Error pages share the look and pass the same checks.
    const missing = await page.goto(`${url}/cases/CX-AAAA-AAAA`);
    check(missing.status() === 404, "a guessed reference is not found");
    await axe(page, "not found");

    // 200% zoom: a 1280-px screen shows 640 CSS pixels; nothing may need sideways scrolling.
    await page.setViewportSize({ width: 640, height: 450 });
    for (const path of ["/queue", documentUrl.replace(/\/documents\/.*$/, "")]) {
      await page.goto(`${url}${path}`);
      const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
      check(fits, `${path} needs horizontal scrolling at 200% zoom`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await Promise.all([page.waitForNavigation(), page.click("header .who form button")]);
    check(page.url().includes("/login"), "signed out");
    await page.goto(`${url}/queue`);
    check(page.url().includes("/login"), "the session is over");
  });

  await journey("an agent applies the desk's suggestion with one key", async (page) => {
    await signIn(page, url);
    // The demo's newest cards carry real text, read by the background job within seconds.
    let found = false;
    for (let i = 0; i < 90 && !found; i++) {
      await page.goto(`${url}/queue?suggestion=approve&assignee=unassigned`);
      found = (await page.$("tbody tr.case-row a.ref")) !== null;
      if (!found) await page.waitForTimeout(1000);
    }
    check(found, "the desk suggests approving some demo cases");
    check((await page.textContent("tbody tr.case-row .flag.suggestion")).includes("Approve"), "the queue shows the suggestion");
    await Promise.all([page.waitForNavigation(), page.click("tbody tr.case-row a.ref")]);
    const results = await page.$$eval("#assist .card-fields td .badge", (b) => b.map((x) => x.textContent.trim()));
    check(results.length === 3 && results.every((r) => r === "match"), `the card's fields: ${results}`);
    const crop = await page.$eval("#assist svg.crop", (svg) => svg.getBoundingClientRect().height);
    check(crop > 10, "the part of the card each field was read from is shown");
    check((await page.$$("#assist .checklist li")).length === 10, "every pre-check is listed");
    await axe(page, "case with the desk's checks");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("s")]);
    check((await flash(page)).includes("Suggestion applied"), "applied with one key");
    check((await page.textContent(".case-head .badge")).includes("Approved"), "approved");
    await Promise.all([page.waitForNavigation(), page.click("header .who form button")]);
  });

  await journey("supervisor triages in bulk with the keyboard", async (page) => {
    await signIn(page, url, DEMO_SUPERVISOR);
    await page.goto(`${url}/queue?state=submitted`);
    await page.keyboard.press("?");
    check(await page.isVisible("#shortcuts"), "? shows the shortcuts");
    await page.keyboard.press("?");
    await page.keyboard.press("j");
    await page.keyboard.press("x");
    await page.keyboard.press("j");
    await page.keyboard.press("x");
    const picked = await page.$$eval("input[name=case]:checked", (boxes) => boxes.length);
    check(picked === 2, `j/x selected ${picked} cases`);
    await Promise.all([page.waitForNavigation(), page.click("button[name=scope][value=selected]")]);
    check((await page.textContent(".lead")).includes("2 selected cases"), "the selection arrives");
    await axe(page, "bulk action");
    await page.selectOption("#bulk-agent", { label: "Dewi Lestari" });
    await Promise.all([page.waitForNavigation(), page.click("form:has(input[name=action][value=assign]) button[type=submit]")]);
    check((await page.textContent("table.summary")).includes("will change"), "preview");
    await axe(page, "bulk preview");
    await Promise.all([page.waitForNavigation(), page.click("form.confirm button[type=submit]")]);
    check((await page.textContent("table.summary")).includes("changed"), "report");
    check((await page.$$("tr.item")).length === 2, "the report lists both cases");

    // "/" jumps to the search box.
    await page.goto(`${url}/queue`);
    await page.keyboard.press("/");
    check(await page.evaluate(() => document.activeElement.id === "search"), "/ focuses search");
  });

  await journey("an agent sets up two-factor sign-in and signs in with a code", async (page) => {
    await page.context().clearCookies(); // the journey before leaves its supervisor signed in
    await signIn(page, url, "budi@canceldesk.test");
    await page.goto(`${url}/account/two-factor`);
    await Promise.all([page.waitForNavigation(), page.click("form[action='/account/two-factor/start'] button")]);
    // The QR code loads and renders under the CSP (an SVG image of this site, no inline style).
    await page.waitForFunction(() => document.querySelector("img.qr")?.complete);
    check(await page.evaluate(() => document.querySelector("img.qr").naturalWidth > 0), "the QR code renders");
    await axe(page, "two-factor set-up");
    const secret = (await page.textContent(".totp-secret")).replace(/\s+/g, "");
    await page.fill("#code", totp(secret, 0));
    await page.fill("#confirm-password", DEMO_PASSWORD); // a session alone cannot add a factor
    await Promise.all([page.waitForNavigation(), page.click("form[action='/account/two-factor/confirm'] button")]);
    check((await page.$$(".recovery-codes code")).length === 10, "ten recovery codes shown");
    await Promise.all([page.waitForNavigation(), page.click("header .who form button")]);
    await signIn(page, url, "budi@canceldesk.test");
    check(page.url().endsWith("/login/second-factor"), "asked for a code");
    await axe(page, "second factor");
    await page.fill("#code", totp(secret, 1));
    await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
    check(page.url().includes("/queue"), "signed in with the code");
  });

  // The customer's side, on a phone-sized screen.
  const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
  const pdf = { name: "contract.pdf", mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n") };
  const jpeg = join(root, "tests/fixtures/ktp.jpg");
  const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
  let applied = null;
  await journey("a customer applies on a phone, corrects a mistake, and checks the status", async (page) => {
    await page.goto(`${url}/apply`);
    await axe(page, "apply");
    check(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "apply fits a 390 px screen");
    await page.fill("#customer_name", "Rina Wijaya");
    await page.fill("#id_number", "3174019901900001"); // day 99: not a real birth date
    await page.fill("#msisdn", "0838-4444-0707");
    await page.fill("#account_number", "7700123456");
    await page.selectOption("#line_type", "postpaid");
    await page.fill("#contact_email", "rina@example.com");
    await page.selectOption("#reason", "switching_operator");
    await page.fill("#requested_effective_date", inDays(21));
    await page.selectOption("#settlement", "refund");
    await page.fill("#refund_bank", "Bank Contoh");
    await page.fill("#refund_account", "0099887766");
    await page.setInputFiles("#identity_card", jpeg);
    await page.check("#consent");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
    check((await page.textContent("#id_number-error")).includes("birth-date"), "the NIK's mistake is named");
    check((await page.inputValue("#customer_name")) === "Rina Wijaya", "what was typed is kept");
    check((await page.textContent("#problems")).includes("choose your files again"), "files must be chosen again, and it says so");
    await axe(page, "apply with errors");
    await page.fill("#id_number", "3174015201900001");
    await page.setInputFiles("#identity_card", jpeg);
    await page.setInputFiles("#proof_of_ownership", pdf);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
    check(page.url().endsWith("/apply/received"), `confirmation page (${page.url()})`);
    applied = (await page.textContent("#reference")).trim();
    check(/^CX-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(applied), `a reference (${applied})`);
    await axe(page, "application received");
    await page.goto(`${url}/status`);
    await page.fill("#reference", applied.toLowerCase());
    await page.fill("#msisdn", "+62 838 4444 0707");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
    check((await page.textContent("#status-headline")).includes("waiting for an agent"), "status in plain words");
    await axe(page, "status");
  }, phone);

  await journey("an agent asks for a document and the customer sends it through the link", async (page) => {
    check(applied, "an application from the journey before");
    await page.context().clearCookies(); // the journeys before leave someone signed in
    await signIn(page, url);
    await page.goto(`${url}/cases/${applied}`);
    await Promise.all([page.waitForNavigation(), page.click("button[data-shortcut=c]")]);
    await page.click("summary:has-text('Request more documents')");
    await page.check("input[name=kinds][value=bank_account_proof]");
    await page.fill("#request-message", "Please send proof of the bank account for the refund.");
    await Promise.all([page.waitForNavigation(), page.click("form[action$=request-documents] button[type=submit]")]);
    const token = server.sql(`SELECT n.link_token FROM notices n JOIN cases c ON c.id = n.case_id
      WHERE c.reference = '${applied}' AND n.kind = 'documents_requested'`);
    check(token.length >= 40, "the notice carries the link");
    const customer = await phone.newPage();
    await customer.goto(`${url}/upload/${token}`);
    await axe(customer, "upload link");
    await customer.setInputFiles("#bank_account_proof", pdf);
    await Promise.all([customer.waitForNavigation(), customer.click("button[type=submit].primary")]);
    check((await customer.textContent("h1")).includes("already used"), "the link says it was used");
    await customer.close();
    await page.reload();
    check((await page.innerText("main")).toLowerCase().includes("documents received"), "the case shows the documents arrived");
  });

  await journey("a customer withdraws the application on a phone", async (page) => {
    check(applied, "an application from the journeys before (undecided: documents just received)");
    await page.goto(`${url}/status`);
    await page.fill("#reference", applied);
    await page.fill("#msisdn", "0838 4444 0707");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
    await Promise.all([page.waitForNavigation(), page.click("#withdraw-form button[type=submit]")]);
    check((await page.textContent("#withdraw-reference")).trim() === applied, "the confirmation names the application");
    check(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "the confirmation fits a 390 px screen");
    await axe(page, "withdraw confirmation");
    await Promise.all([page.waitForNavigation(), page.click("#withdraw-confirm")]);
    check((await page.textContent("#withdrawn-notice")).includes("withdrawn"), "the page confirms it");
    check((await page.textContent("#status-headline")).includes("Withdrawn"), "the status says withdrawn");
    check((await page.$("#withdraw-form")) === null, "no second offer");
    await axe(page, "status after withdrawal");
    const state = server.sql(`SELECT state FROM cases WHERE reference = '${applied}'`);
    check(state === "withdrawn", `the case is withdrawn (${state})`);
    const notice = server.sql(`SELECT count(*) FROM notices n JOIN cases c ON c.id = n.case_id
      WHERE c.reference = '${applied}' AND n.kind = 'withdrawn'`);
    check(notice === "1", `one withdrawn notice (${notice})`);
  }, phone);
  await phone.close();

  const reportsContext = await launchBrowser();
  await journey("supervisor reads the reports, follows a figure to its cases, saves a view", async (page) => {
    await signIn(page, url, DEMO_SUPERVISOR);
    await page.goto(`${url}/reports?period=30`);
    await axe(page, "reports");
    // Every chart is an image with a title, with its numbers in a table beside it.
    for (const chart of ["backlog", "received", "decided", "service-level"]) {
      check(await page.$(`svg[role=img][aria-labelledby=chart-${chart}-title]`), `chart ${chart}`);
    }
    check(await page.$("#table-received tbody tr"), "the received chart's table");
    // A figure's link leads to a queue of exactly that many cases.
    const link = page.locator("#table-reasons tbody td a").first();
    const figure = Number((await link.textContent()).trim());
    check(figure > 0, `a figure to follow (${figure})`);
    await Promise.all([page.waitForNavigation(), link.click()]);
    check(page.url().includes("/queue?"), `on the queue (${page.url()})`);
    let shown = 0;
    for (;;) {
      shown += await page.locator("tbody tr.case-row").count();
      const next = await page.$("a[rel=next]");
      if (!next) break;
      await Promise.all([page.waitForNavigation(), next.click()]);
    }
    check(shown === figure, `the queue lists ${shown} cases for the figure ${figure}`);
    // Save that filter as a view; it is listed under Views.
    await page.fill("#view-name", "Switching operator, this month");
    await Promise.all([page.waitForNavigation(), page.click("form.save-view button[type=submit]")]);
    check((await flash(page)).includes("Saved the view"), "view saved");
    await page.goto(`${url}/views`);
    await axe(page, "views");
    check((await page.textContent("table.views")).includes("Switching operator, this month"), "the view is listed");
  }, reportsContext);
  await reportsContext.close();

  // A customer whose phone speaks Bahasa Indonesia (Accept-Language id) gets the pages in it.
  const indonesian = await launchBrowser({ locale: "id-ID", viewport: { width: 390, height: 844 } });
  await journey("a customer applies and checks the status in Bahasa Indonesia on a phone", async (page) => {
    await page.goto(`${url}/apply`);
    check((await page.getAttribute("html", "lang")) === "id", "html lang is id");
    check((await page.textContent("h1")).includes("Berhenti berlangganan"), "the form is in Indonesian");
    await axe(page, "apply (id)");
    await page.fill("#customer_name", "Putu Ayu Lestari");
    await page.fill("#id_number", "5171014507900002");
    await page.fill("#msisdn", "0838-4444-0909");
    await page.fill("#account_number", "7700123458");
    await page.selectOption("#line_type", "prepaid");
    await page.fill("#contact_email", "putu@example.com");
    await page.selectOption("#reason", "moving_abroad");
    await page.fill("#requested_effective_date", new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10));
    await page.selectOption("#settlement", "forfeit");
    await page.setInputFiles("#identity_card", join(root, "tests/fixtures/ktp.jpg"));
    await page.check("#consent");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
    check((await page.textContent("h1")).includes("sudah kami terima"), "received, in Indonesian");
    await axe(page, "application received (id)");
    const reference = (await page.textContent("#reference")).trim();
    await page.goto(`${url}/status`);
    await page.fill("#reference", reference);
    await page.fill("#msisdn", "0838 4444 0909");
    await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit].primary")]);
    check((await page.textContent("#status-headline")).includes("menunggu"), "status in Indonesian");
    await axe(page, "status (id)");
    // The switch changes the language for the next pages too.
    await page.selectOption("#language-choice", "en");
    await Promise.all([page.waitForNavigation(), page.click("form.language button")]);
    check((await page.getAttribute("html", "lang")) === "en", "switched to English");
  }, indonesian);
  await indonesian.close();

  // The desk in Bahasa Indonesia: the browser asks for it; the agent's own choice is then kept
  // with the account and follows them to another browser.
  const deskInIndonesian = await launchBrowser({ locale: "id-ID" });
  await journey("an agent works a case in Bahasa Indonesia, then keeps Chinese for the account", async (page) => {
    await signIn(page, url);
    check((await page.getAttribute("html", "lang")) === "id", "the desk speaks the browser's language");
    check((await page.textContent("h1")).trim() === message("id", "desk", "queue-title"), "queue title in Indonesian");
    await axe(page, "queue (id)");
    await page.goto(`${url}/queue?state=submitted&assignee=unassigned`);
    await Promise.all([page.waitForNavigation(), page.click("tbody tr.case-row a.ref")]);
    check((await page.textContent("#h-customer")).trim() === message("id", "case", "case-customer"), "case page in Indonesian");
    await Promise.all([page.waitForNavigation(), page.click("button[data-shortcut=c]")]);
    check((await flash(page)).includes(message("id", "case", "done-claimed")), "the flash in Indonesian");
    await axe(page, "case (id)");
    await page.click("details.request summary");
    await page.check("details.request input[name=kinds][value=bank_account_proof]");
    await page.fill("#request-message", "Mohon kirim foto halaman pertama buku tabungan Anda.");
    await Promise.all([page.waitForNavigation(), page.click("details.request button[type=submit]")]);
    check((await flash(page)).includes(message("id", "case", "done-documents-requested")), "documents requested, said in Indonesian");
    const customerLanguage = (await page.textContent("#customer-language")).trim();
    check(["Bahasa Indonesia", "English", "简体中文"].includes(customerLanguage), `the customer's language is shown (${customerLanguage})`);
    // Choosing Chinese keeps it with the account.
    await page.goto(`${url}/account`);
    await page.selectOption("#language-choice", "zh-CN");
    await Promise.all([page.waitForNavigation(), page.click("form.language button")]);
    check((await page.getAttribute("html", "lang")) === "zh-CN", "switched to Chinese");
    check((await page.textContent(".account-language")).includes("简体中文"), "the account says which language it keeps");
    await axe(page, "account (zh-CN)");
    await Promise.all([page.waitForNavigation(), page.click("header .who form button")]);
  }, deskInIndonesian);
  await deskInIndonesian.close();
  const anotherBrowser = await launchBrowser({ locale: "en-US" });
  await journey("the agent's language follows them to another browser", async (page) => {
    await signIn(page, url);
    check((await page.getAttribute("html", "lang")) === "zh-CN", "the account's language, not the browser's");
    check((await page.textContent("h1")).trim() === message("zh-CN", "desk", "queue-title"), "queue title in Chinese");
    await axe(page, "queue (zh-CN)");
    // Back to English for the journeys that follow (the same demo agent).
    await page.selectOption("#language-choice", "en");
    await Promise.all([page.waitForNavigation(), page.click("form.language button")]);
    check((await page.getAttribute("html", "lang")) === "en", "back to English");
  }, anotherBrowser);
  await anotherBrowser.close();

  // The same journeys' core without JavaScript: every action is a plain form.
  const noJs = await launchBrowser({ javaScriptEnabled: false });
  await journey("without JavaScript: sign in, open, claim, bulk claim, sign out", async (page) => {
    await signIn(page, url);
    await page.goto(`${url}/queue?state=submitted&assignee=unassigned`);
    await Promise.all([page.waitForNavigation(), page.click("tbody tr.case-row a.ref")]);
    await Promise.all([page.waitForNavigation(), page.click("button[data-shortcut=c]")]);
    check((await page.textContent(".flash.success")).includes("claimed"), "claimed without JS");
    await page.goto(`${url}/queue?state=submitted&assignee=unassigned`);
    await page.check("tbody tr.case-row input[name=case]");
    await Promise.all([page.waitForNavigation(), page.click("button[name=scope][value=selected]")]);
    await Promise.all([page.waitForNavigation(), page.click("form:has(input[name=action][value=claim]) button[type=submit]")]);
    await Promise.all([page.waitForNavigation(), page.click("form.confirm button[type=submit]")]);
    check(/changed\s+1\b/.test(await page.innerText("table.summary")), "bulk claim without JS");
    await Promise.all([page.waitForNavigation(), page.click("header .who form button")]);
    check(page.url().includes("/login"), "signed out");
  }, noJs);
  await noJs.close();
} catch (error) {
  console.error(error);
  results.push(["setup", "FAILED"]);
} finally {
  await context?.close().catch(() => {});
  server?.stop();
}

const failed = results.filter(([, r]) => r !== "ok");
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed${failed.length ? ` (artifacts in ${artifacts})` : ""}`);
process.exit(failed.length ? 1 : 0);
