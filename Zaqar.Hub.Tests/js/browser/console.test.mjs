// The web console in a real browser (Debian's chromium driven by playwright-core): two pages of one project,
// a post on one pushed live into the other, claim and delete, a validation error as the service words it, each page
// counting the queue's consumers live;
// once over WebSockets and once with WebSockets blocked, so long polling carries it by itself.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, PHONE, createQueue, newProject, openConsole } from "./console-kit.mjs";

for (const mode of [{ name: "WebSockets", blockWebSockets: false, transport: /WebSockets/ }, { name: "long polling (WebSockets blocked)", blockWebSockets: true, transport: /long polling/ }]) {
  describe(`console over ${mode.name}`, () => {
    it("creates a queue, pushes a post live into a second page, claims, deletes, and shows validation errors", async () => {
      const project = newProject();
      const slug = mode.blockWebSockets ? "longpolling" : "websockets";
      const poster = await openConsole(project, mode);
      const watcher = await openConsole(project, mode);
      assert.match(await poster.textContent("#connection"), mode.transport);
      assert.match(await watcher.textContent("#connection"), mode.transport);

      // Create a queue from the keyboard, as a keyboard user would.
      await createQueue(poster, "orders");

      // The second page learns about the queue and opens it.
      await watcher.getByRole("button", { name: "Connect" }).click();
      await watcher.getByRole("button", { name: "Open queue orders" }).click();
      await watcher.getByRole("heading", { name: "Queue orders" }).waitFor();

      // Both pages listen to the queue: each counts two consumers (presence, issue 13), kept live by joins and leaves.
      const consumers = (page) => page.locator('#queue-table tr[data-queue="orders"]').locator("td").nth(4);
      await assert.doesNotReject(consumers(poster).filter({ hasText: /^2$/ }).waitFor());
      await assert.doesNotReject(consumers(watcher).filter({ hasText: /^2$/ }).waitFor());

      // Post on the first page; the second receives it by push, without reloading.
      await poster.getByLabel("Message body (JSON)").fill('{"order": 42, "item": "crème brûlée"}');
      await poster.getByRole("button", { name: "Post", exact: true }).click();
      const pushed = watcher.locator("#messages li", { hasText: "crème brûlée" });
      await pushed.waitFor({ timeout: 5000 });
      // The live depth chart follows, from the samples the hub streams (no polling), on this transport too.
      await assert.doesNotReject(watcher.locator('#depth-chart li[data-series="orders"]', { hasText: /^orders: 1 messages$/ }).waitFor());
      await watcher.screenshot({ path: `${SHOTS}/console-${slug}-pushed.png` });

      // A validation error, worded by the service.
      await poster.getByLabel("TTL (s)", { exact: true }).fill("5");
      await poster.getByRole("button", { name: "Post", exact: true }).click();
      const error = poster.getByRole("alert");
      await assert.doesNotReject(error.filter({ hasText: "The TTL for a message may not exceed" }).waitFor());
      assert.match(await error.textContent(), /^Invalid API request: /);
      await poster.screenshot({ path: `${SHOTS}/console-${slug}-validation.png` });
      await poster.getByLabel("TTL (s)", { exact: true }).fill("3600");

      // Claim on the watcher, then delete the claimed message with its claim.
      await watcher.getByRole("button", { name: "Claim messages" }).click();
      await watcher.locator("#messages li.claimed").waitFor();
      const row = watcher.locator('#queue-table tr[data-queue="orders"]');
      await assert.doesNotReject(row.locator("td").nth(2).filter({ hasText: /^1$/ }).waitFor());
      await watcher.locator("#messages li.claimed").getByRole("button", { name: /Delete message/ }).click();
      await watcher.locator("#messages li").first().waitFor({ state: "detached" });
      await assert.doesNotReject(row.locator("td").nth(3).filter({ hasText: /^0$/ }).waitFor());
      await watcher.screenshot({ path: `${SHOTS}/console-${slug}-deleted.png` });

      // The watcher leaves: the poster counts one consumer, itself.
      await watcher.context().close();
      await assert.doesNotReject(consumers(poster).filter({ hasText: /^1$/ }).waitFor());
      await poster.context().close();
    });
  });
}

describe("console layout", () => {
  it("stays usable at phone width", async () => {
    const page = await openConsole(newProject(), { viewport: PHONE });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling at phone width (content is ${width}px wide)`);
    await page.getByLabel("New queue").fill("mobile");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.getByRole("heading", { name: "Queue mobile" }).waitFor();
    await page.locator("#reserved-metadata tbody tr").first().waitFor();
    const opened = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(opened <= 390, `no horizontal scrolling with a queue open at phone width (content is ${opened}px wide)`);
    await page.screenshot({ path: `${SHOTS}/console-phone.png`, fullPage: true });
    await page.context().close();
  });
});
