// The console's operator features in a real browser (issue 15 item 6), each used as an operator would and checked as
// another client sees it: queue metadata with the reserved keys, purge, subscriptions with delivery status, pre-signed
// URLs, topics, live charts, the health report, pools and flavors; sign-in by token; keyboard use and accessible names;
// screenshots at desktop and phone width.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DESKTOP, PHONE, SHOTS, createQueue, newProject, openConsole, openSignIn, rest } from "./console-kit.mjs";

const POOL_NAME = process.env.POOL_NAME;
const POOL_URI = process.env.POOL_URI;

describe("console features", () => {
  it("edits queue metadata with the reserved keys explained, and purges", async () => {
    const project = newProject();
    const page = await openConsole(project);
    await createQueue(page, "billing");
    await createQueue(page, "billing-dlq");
    await page.getByRole("button", { name: "Open queue billing", exact: true }).click();
    await page.getByRole("heading", { name: "Queue billing", exact: true }).waitFor();

    await page.locator('#metadata-form[data-queue="billing"]').waitFor(); // Loaded for this queue.
    const claims = page.getByLabel("_max_claim_count");
    assert.match(await page.locator("#meta-_max_claim_count-why").textContent(), /Claims a message gets before it moves to the dead-letter queue/);
    await page.getByLabel("_dead_letter_queue", { exact: true }).fill("billing-dlq");
    await claims.fill("3");
    await page.getByLabel("_default_message_ttl").fill("120");
    await page.getByLabel("Other metadata (JSON object)").fill('{"team": "payments"}');
    await claims.press("Enter"); // The form submits from the keyboard.
    await page.getByRole("status").filter({ hasText: "Metadata of billing saved." }).waitFor();
    const queue = await rest(page, project, "GET", "/v2/queues/billing");
    assert.equal(queue.json._dead_letter_queue, "billing-dlq");
    assert.equal(queue.json._max_claim_count, 3);
    assert.equal(queue.json._default_message_ttl, 120);
    assert.equal(queue.json.team, "payments");

    // A wrong value is refused with the service's words, and nothing changes.
    await page.getByLabel("_default_message_ttl").fill("5");
    await page.getByRole("button", { name: "Save metadata" }).click();
    await page.getByRole("alert").filter({ hasText: /_default_message_ttl/ }).waitFor();
    assert.equal((await rest(page, project, "GET", "/v2/queues/billing")).json._default_message_ttl, 120);

    // Purge the messages: the counts go to zero.
    await rest(page, project, "POST", "/v2/queues/billing/messages", { messages: [{ body: 1 }, { body: 2 }] });
    const total = page.locator('#queue-table tr[data-queue="billing"] td').nth(3);
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await total.filter({ hasText: /^2$/ }).waitFor();
    await page.getByRole("button", { name: "Purge queue" }).click();
    await page.getByRole("status").filter({ hasText: "Purged the messages of billing." }).waitFor();
    await total.filter({ hasText: /^0$/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/console-metadata.png`, fullPage: true });
    await page.context().close();
  });

  it("creates, edits and deletes a subscription, showing its delivery status", async () => {
    const project = newProject();
    const page = await openConsole(project);
    await createQueue(page, "hooks");
    await page.getByLabel("Subscriber (http(s):// webhook or mailto:)").fill("http://127.0.0.1:9/hook");
    await page.getByLabel("Options (JSON object)").fill('{"tag": "a"}');
    await page.getByLabel("Options (JSON object)").press("Enter");
    const item = page.locator("#subscriptions li", { hasText: "http://127.0.0.1:9/hook" });
    await item.waitFor();
    assert.match(await item.locator(".delivery").textContent(), /^delivered \d+ · failed \d+ · pending \d+/);
    assert.match(await item.textContent(), /ttl 3600s/);

    await item.getByRole("button", { name: "Edit subscription http://127.0.0.1:9/hook" }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "subscriber");
    await page.getByLabel("Subscription TTL (s)").fill("7200");
    await page.getByRole("button", { name: "Save subscription" }).click();
    await item.filter({ hasText: "ttl 7200s" }).waitFor();
    const listed = await rest(page, project, "GET", "/v2/queues/hooks/subscriptions");
    assert.deepEqual(listed.json.subscriptions.map((s) => [s.subscriber, s.ttl, s.options.tag]), [["http://127.0.0.1:9/hook", 7200, "a"]]);

    await item.getByRole("button", { name: "Delete subscription http://127.0.0.1:9/hook" }).click();
    await item.waitFor({ state: "detached" });
    assert.equal((await rest(page, project, "GET", "/v2/queues/hooks/subscriptions")).json.subscriptions.length, 0);
    await page.context().close();
  });

  it("creates a pre-signed URL whose headers let another client read the messages", async () => {
    const project = newProject();
    const page = await openConsole(project);
    await createQueue(page, "shared");
    await rest(page, project, "POST", "/v2/queues/shared/messages", { messages: [{ body: "for the holder" }] });
    await page.getByRole("button", { name: "Create pre-signed URL" }).click();
    const headers = page.getByLabel("Headers to send");
    await headers.waitFor();
    const lines = Object.fromEntries((await headers.inputValue()).split("\n").map((l) => l.split(": ")));
    assert.equal(lines["URL-Methods"], "GET");
    assert.equal(lines["URL-Paths"], "/v2/queues/shared/messages");
    // The holder has no credentials of the project, only the headers.
    const read = await rest(page, project, "GET", "/v2/queues/shared/messages?echo=true", undefined, lines);
    assert.equal(read.status, 200);
    assert.deepEqual(read.json.messages.map((m) => m.body), ["for the holder"]);
    await page.context().close();
  });

  it("creates a topic, posts to it and deletes it", async () => {
    const project = newProject();
    const page = await openConsole(project);
    await page.getByLabel("New topic").fill("events");
    await page.getByLabel("New topic").press("Enter");
    const row = page.locator('#topic-table tr[data-topic="events"]');
    await row.waitFor();
    await page.getByLabel("Topic message (JSON)").fill('{"n": 1}');
    await page.getByRole("button", { name: "Post to topic" }).click();
    await row.locator("td").nth(1).filter({ hasText: /^1$/ }).waitFor();
    assert.equal((await rest(page, project, "GET", "/v2/topics/events/stats")).json.messages.total, 1);
    await page.getByRole("button", { name: "Delete topic events" }).click();
    await row.waitFor({ state: "detached" });
    await page.context().close();
  });

  it("draws live message rates for an admin and queue depth for everyone, from the hub's stream", async () => {
    const project = newProject();
    const admin = await openConsole(project, { roles: "admin" });
    await createQueue(admin, "charted");
    await admin.getByRole("button", { name: "Post", exact: true }).click();
    await admin.getByRole("button", { name: "Post", exact: true }).click();
    await admin.locator('#depth-chart li[data-series="charted"]', { hasText: /^charted: 2 messages$/ }).waitFor();
    // Posts on this node show as a non-zero "in" rate in one of the samples that follow.
    await admin.locator("#rates-chart polyline").first().waitFor();
    assert.match(await admin.locator("#rates-chart").getAttribute("aria-label"), /^Messages per second on this node, last 5 minutes; now in \(posted\) [\d.]+/);
    assert.ok(await admin.locator("#rates-note").isHidden());
    await admin.screenshot({ path: `${SHOTS}/console-charts.png`, fullPage: true });

    const tenant = await openConsole(project);
    await tenant.locator('#depth-chart li[data-series="charted"]', { hasText: /^charted: 2 messages$/ }).waitFor();
    await tenant.locator("#rates-note").waitFor(); // The node's rates are every project's: not for a tenant.
    await admin.context().close();
    await tenant.context().close();
  });

  it("shows the health report, and pools and flavors for an admin", async () => {
    const page = await openConsole(newProject(), { roles: "admin" });
    await page.getByRole("button", { name: "Check health" }).click();
    await page.getByRole("status").filter({ hasText: "Health report updated." }).waitFor();
    assert.ok(await page.locator("#health-table tr").count() > 0);
    assert.equal(await page.locator("#health-table tr.bad").count(), 0);

    if (!POOL_NAME) {
      // Without pooling the service answers 404, shown where the pools would be.
      await page.locator("#pools-note").waitFor();
      await page.context().close();
      return;
    }
    await page.locator(`#pool-table tr[data-pool="${POOL_NAME}"]`).waitFor();
    await page.getByLabel("Pool", { exact: true }).fill("ui-pool");
    await page.getByLabel("URI").fill(POOL_URI);
    await page.getByLabel("Weight").fill("0");
    await page.getByLabel("URI").press("Enter");
    await page.locator('#pool-table tr[data-pool="ui-pool"]').waitFor();

    await page.getByLabel("Flavor", { exact: true }).last().fill("gold");
    await page.getByLabel("Pools (comma-separated)").fill(POOL_NAME);
    await page.getByRole("button", { name: "Create flavor" }).click();
    const flavor = page.locator('#flavor-table tr[data-flavor="gold"]');
    await flavor.filter({ hasText: POOL_NAME }).waitFor();
    await page.screenshot({ path: `${SHOTS}/console-operations.png`, fullPage: true });
    await page.getByRole("button", { name: "Delete flavor gold" }).click();
    await flavor.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Delete pool ui-pool" }).click();
    await page.locator('#pool-table tr[data-pool="ui-pool"]').waitFor({ state: "detached" });
    await page.context().close();
  });

  it("signs in with a token: the hub gets it as a bearer, REST as the deployment expects it", async () => {
    const page = await openSignIn();
    assert.ok(await page.getByLabel("Token", { exact: true }).isVisible());
    assert.ok(await page.getByLabel("Roles").isHidden());
    const negotiate = page.waitForRequest((r) => r.url().includes("/hubs/queues/negotiate"));
    await page.getByLabel("Project", { exact: true }).fill("console-token");
    await page.getByLabel("Token", { exact: true }).fill("header.payload.signature");
    await page.getByLabel("Token", { exact: true }).press("Enter");
    assert.equal((await negotiate).headers().authorization, "Bearer header.payload.signature");

    await page.getByLabel("Sign in with").selectOption("keystone");
    await page.getByLabel("Token", { exact: true }).fill("gAAAAkeystone");
    const keystone = page.waitForRequest((r) => r.url().includes("/hubs/queues/negotiate"));
    await page.getByRole("button", { name: "Connect" }).click();
    assert.equal((await keystone).headers().authorization, "Bearer gAAAAkeystone");
    await page.context().close();
  });
});

describe("console keyboard use and layout", () => {
  for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    it(`reaches every control by Tab, each named and with a visible focus, at ${name} width`, async () => {
      const project = newProject();
      const page = await openConsole(project, { viewport, roles: "admin" });
      await createQueue(page, "keys");
      await page.locator("#reserved-metadata tbody tr").first().waitFor();
      await page.locator("#depth-chart li").first().waitFor();
      const controls = await page.evaluate(() => [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea")]
        .filter((e) => e.offsetParent !== null && !e.disabled)
        .map((e, i) => { e.dataset.tabProbe = String(i); return { probe: String(i), id: e.id, text: e.textContent.trim() }; }));
      const unnamed = await page.evaluate(() => [...document.querySelectorAll("[data-tab-probe]")]
        .filter((e) => !(e.labels?.length || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby") || e.textContent.trim()))
        .map((e) => e.outerHTML));
      assert.deepEqual(unnamed, [], "every control has an accessible name");

      // From the top of the page: Tab goes through every control in order (twice the count allows for the browser's own stops).
      await page.evaluate(() => document.activeElement?.blur());
      const reached = new Set();
      const outlineMissing = [];
      for (let i = 0; i < controls.length * 2 && reached.size < controls.length; i++) {
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => {
          const e = document.activeElement;
          const style = e ? getComputedStyle(e) : null;
          return e?.dataset?.tabProbe ? { probe: e.dataset.tabProbe, outline: style.outlineStyle, id: e.id } : null;
        });
        if (focused) {
          reached.add(focused.probe);
          if (focused.outline === "none") {
            outlineMissing.push(focused.id || focused.probe);
          }
        }
      }
      const missed = controls.filter((c) => !reached.has(c.probe)).map((c) => c.id || c.text);
      assert.deepEqual(missed, [], "Tab reaches every visible control");
      assert.deepEqual(outlineMissing, [], "focus is visible on every control");
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= viewport.width, `no horizontal scrolling at ${name} width (content is ${width}px wide)`);
      await page.screenshot({ path: `${SHOTS}/console-${name}-full.png`, fullPage: true });
      await page.context().close();
    });
  }
});
