// What the console's browser tests share: Debian's chromium driven by playwright-core, a page of the console signed in
// to a project, and where screenshots go (artifacts, never committed).
import { before, after } from "node:test";
import { mkdir } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { chromium } from "playwright-core";

export const BASE = process.env.HUB_BASE ?? "http://127.0.0.1:8888";
export const SHOTS = process.env.SCREENSHOT_DIR ?? "screenshots";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

let browser;
before(async () => {
  await mkdir(SHOTS, { recursive: true });
  console.log(`# screenshots: ${SHOTS}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
      "--disable-component-update", "--disable-sync"],
  });
});
after(async () => browser?.close());

export const newProject = () => "console-" + randomUUID().slice(0, 8);

/** A page of the console signed in to `project` (roles as X-Roles, e.g. "admin"), connected. */
export async function openConsole(project, { blockWebSockets = false, viewport = DESKTOP, roles = "" } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  if (blockWebSockets) {
    // A proxy that refuses WebSocket upgrades: every socket the page opens is closed at once.
    await page.routeWebSocket(/.*/, (ws) => ws.close({ code: 1011, reason: "blocked by test proxy" }));
  }
  await page.goto(`${BASE}/console/?project=${project}&client_id=${randomUUID()}&roles=${roles}&auth=project`);
  await page.waitForSelector('#connection[data-state="connected"]');
  return page;
}

/** A page of the console that has not signed in yet (a token mode remembers no token, so it waits for one). */
export async function openSignIn(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${BASE}/console/?auth=jwt&client_id=${randomUUID()}`);
  return page;
}

/** Creates a queue from the keyboard and waits for it to open. */
export async function createQueue(page, name) {
  await page.getByLabel("New queue").fill(name);
  await page.getByLabel("New queue").press("Enter");
  await page.getByRole("heading", { name: `Queue ${name}` }).waitFor();
}

/** The REST API as the same project (to check what the console did, as another client would see it). */
export async function rest(page, project, method, path, body, headers = {}) {
  const response = await page.request.fetch(`${BASE}${path}`, {
    method,
    headers: { "X-Project-ID": project, "Client-ID": randomUUID(), "Content-Type": "application/json", ...headers },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status(), json: text ? JSON.parse(text) : null };
}
