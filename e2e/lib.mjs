// Shared by the journeys and the screenshots: build and start the real server on a fresh,
// demo-seeded database, and launch Debian's headless Chromium (no browser download).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DEMO_AGENT = "agent@canceldesk.test";
export const DEMO_SUPERVISOR = "supervisor@canceldesk.test";
export const DEMO_PASSWORD = "desk-demo-password";

/** Builds the app and starts it on a free port against a new database seeded with demo data. */
export async function startServer() {
  execFileSync("cargo", ["build", "--quiet"], { cwd: root, stdio: "inherit" });
  const env = { ...process.env };
  delete env.DATABASE_URL; // a local server, with demo data seeded on the empty database
  // Named like the Rust tests' databases, so their clean-up drops it after an hour.
  env.CANCELDESK_DATABASE_NAME = `cd_test_${Math.floor(Date.now() / 1000)}_e2e${process.pid}`;
  env.CANCELDESK_BIND = "127.0.0.1:0";
  const child = spawn(join(root, "target/debug/canceldesk"), ["serve"], { cwd: root, env });
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000);
    const onData = (data) => {
      output += data.toString();
      const match = output.match(/running at (http:\/\/[^\s]+)\//);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => { output += d.toString(); });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  // One value from the server's database (e.g. the upload link a notice carries while no mail
  // gateway is configured): found by the app's own rule, read with psql.
  const sql = (query) => {
    const databaseUrl = execFileSync(join(root, "target/debug/canceldesk"), ["database-url"], { cwd: root, env })
      .toString().trim();
    return execFileSync("psql", [databaseUrl, "-Atc", query]).toString().trim();
  };
  return { url, stop: () => child.kill("SIGTERM"), log: () => output, sql };
}

export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
];

/** Headless Chromium with a fresh profile directory. */
export async function launchBrowser(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), "canceldesk-chromium-"));
  return chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: options.viewport || { width: 1280, height: 900 },
  });
}

export const axeSource = readFileSync(join(root, "e2e/node_modules/axe-core/axe.min.js"), "utf8");

export async function signIn(page, url, email = DEMO_AGENT) {
  await page.goto(`${url}/login`);
  await page.fill("#email", email);
  await page.fill("#password", DEMO_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
}
