// Every hub method, over every transport/protocol pair, returning REST's shapes.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { MATRIX, connect, newProject, expectZaqarError, rest } from "./lib.mjs";

for (const pair of MATRIX) {
  describe(`hub methods over ${pair.name}`, () => {
    const connections = [];
    after(async () => Promise.all(connections.map((c) => c.stop())));
    const open = async (identity, query) => {
      const c = await connect(pair, identity, query);
      connections.push(c);
      return c;
    };

    it("creates, reads, patches, lists, counts, purges and deletes queues", async () => {
      const hub = await open();
      assert.deepEqual(await hub.invoke("CreateQueue", "orders", { color: "blue" }), { created: true });
      assert.deepEqual(await hub.invoke("CreateQueue", "orders", null), { created: false });
      const metadata = await hub.invoke("GetQueue", "orders");
      assert.equal(metadata.color, "blue");
      assert.equal(metadata._default_message_ttl, 3600);
      const patched = await hub.invoke("UpdateQueueMetadata", "orders", [{ op: "replace", path: "/metadata/color", value: "red" }]);
      assert.equal(patched.color, "red");
      await hub.invoke("CreateQueue", "zeta", null);
      const page = await hub.invoke("ListQueues", { limit: 1, with_count: true, detailed: true });
      assert.equal(page.queues.length, 1);
      assert.equal(page.queues[0].name, "orders");
      assert.equal(page.queues[0].href, "/v2/queues/orders");
      assert.equal(page.queues[0].metadata.color, "red");
      assert.equal(page.count, 2);
      assert.match(page.links[0].href, /marker=orders/);
      const next = await hub.invoke("ListQueues", { marker: "orders" });
      assert.deepEqual(next.queues.map((q) => q.name), ["zeta"]);
      await hub.invoke("PostMessages", "orders", [{ body: 1 }]);
      await hub.invoke("PurgeQueue", "orders", ["messages"]);
      assert.equal((await hub.invoke("GetQueueStats", "orders")).messages.total, 0);
      await hub.invoke("DeleteQueue", "orders");
      await hub.invoke("DeleteQueue", "zeta");
      assert.deepEqual((await hub.invoke("ListQueues", null)).queues, []);
    });

    it("posts, lists, gets, deletes and pops messages", async () => {
      const hub = await open();
      const posted = await hub.invoke("PostMessages", "q", [{ body: { a: 1 }, ttl: 300 }, { body: "two" }, { body: [3] }]);
      assert.equal(posted.message_ids.length, 3);
      assert.deepEqual(posted.resources, posted.message_ids.map((id) => `/v2/queues/q/messages/${id}`));
      const page = await hub.invoke("ListMessages", "q", { echo: true, limit: 2 });
      assert.deepEqual(page.messages.map((m) => m.body), [{ a: 1 }, "two"]);
      assert.equal(page.messages[0].ttl, 300);
      assert.equal(typeof page.messages[0].age, "number");
      assert.equal(page.messages[0].href, `/v2/queues/q/messages/${posted.message_ids[0]}`);
      assert.match(page.links[0].href, new RegExp(`marker=${posted.message_ids[1]}`));
      assert.deepEqual((await hub.invoke("ListMessages", "q", null)).messages, [], "own messages are hidden without echo");
      const one = await hub.invoke("GetMessage", "q", posted.message_ids[2]);
      assert.deepEqual(one.body, [3]);
      const many = await hub.invoke("GetMessages", "q", posted.message_ids.slice(0, 2));
      assert.equal(many.messages.length, 2);
      await hub.invoke("DeleteMessage", "q", posted.message_ids[2], null);
      await hub.invoke("DeleteMessages", "q", [posted.message_ids[1]], null);
      const popped = await hub.invoke("PopMessages", "q", 5);
      assert.deepEqual(popped.messages.map((m) => m.body), [{ a: 1 }]);
      assert.equal(typeof popped.messages[0].claim_id, "string");
      assert.equal((await hub.invoke("GetQueueStats", "q")).messages.total, 0);
    });

    it("creates, reads, renews and releases claims, and deletes with a claim id", async () => {
      const hub = await open();
      const ids = (await hub.invoke("PostMessages", "jobs", [{ body: "a" }, { body: "b" }])).message_ids;
      const claim = await hub.invoke("CreateClaim", "jobs", { ttl: 60, grace: 60, limit: 1 });
      assert.equal(claim.messages.length, 1);
      assert.equal(claim.messages[0].href, `/v2/queues/jobs/messages/${ids[0]}?claim_id=${claim.claim_id}`);
      const read = await hub.invoke("GetClaim", "jobs", claim.claim_id);
      assert.equal(read.ttl, 60);
      assert.equal(read.messages.length, 1);
      assert.equal(read.href, `/v2/queues/jobs/claims/${claim.claim_id}`);
      await hub.invoke("UpdateClaim", "jobs", claim.claim_id, { ttl: 120 });
      assert.equal((await hub.invoke("GetClaim", "jobs", claim.claim_id)).ttl, 120);
      const refused = await expectZaqarError(hub.invoke("DeleteMessage", "jobs", ids[0], null));
      assert.equal(refused.status, 403);
      await hub.invoke("DeleteMessage", "jobs", ids[0], claim.claim_id);
      const second = await hub.invoke("CreateClaim", "jobs", null);
      assert.deepEqual(second.messages.map((m) => m.body), ["b"]);
      await hub.invoke("ReleaseClaim", "jobs", second.claim_id);
      assert.equal(await hub.invoke("CreateClaim", "jobs", { ttl: 60 }) !== null, true);
      assert.equal(await hub.invoke("CreateClaim", "empty-queue", null), null);
    });

    it("answers ping, and health for admins only", async () => {
      const hub = await open();
      assert.equal(await hub.invoke("Ping"), true);
      const denied = await expectZaqarError(hub.invoke("Health"));
      assert.deepEqual(denied, { status: 403, title: "Not authorized", description: "You are not authorized to complete this action." });
      const admin = await open(newProject(), "&roles=admin");
      const health = await admin.invoke("Health");
      assert.equal(health.storage_reachable, true);
      assert.equal(health.operation_status.post_messages.succeeded, true);
    });

    it("reports Zaqar errors with REST's status, title and description", async () => {
      const hub = await open();
      const limit = await expectZaqarError(hub.invoke("CreateClaim", "q", { limit: 100 }));
      assert.deepEqual(limit, { status: 400, title: "Invalid API request", description: "Limit must be at least 1 and may not be greater than 20." });
      const name = await expectZaqarError(hub.invoke("PostMessages", "bad name!", [{ body: 1 }]));
      assert.equal(name.status, 400);
      assert.equal(name.title, "Invalid queue identification");
      const noBody = await expectZaqarError(hub.invoke("PostMessages", "q", [{ ttl: 60 }]));
      assert.deepEqual(noBody, { status: 400, title: "Invalid request body", description: 'Missing "body" field.' });
      const missing = await expectZaqarError(hub.invoke("GetMessage", "q", "00000000-0000-0001-0000-000000000000"));
      assert.equal(missing.status, 404);
      const rest404 = await rest(hub.identity, "GET", "/v2/queues/q/messages/00000000-0000-0001-0000-000000000000");
      assert.equal(rest404.json.title, missing.title);
    });

    it("binds snake_case, camelCase and PascalCase argument members alike", async () => {
      const hub = await open();
      await hub.invoke("PostMessages", "q", [{ Body: "pascal", Ttl: 120 }, { body: "snake", ttl: 121 }]);
      const snake = await hub.invoke("ListMessages", "q", { echo: true, include_claimed: true });
      const camel = await hub.invoke("ListMessages", "q", { Echo: true, includeClaimed: true });
      const pascal = await hub.invoke("ListMessages", "q", { Echo: true, IncludeClaimed: true });
      assert.deepEqual(snake.messages.map((m) => [m.body, m.ttl]), [["pascal", 120], ["snake", 121]]);
      assert.deepEqual(camel.messages, snake.messages);
      assert.deepEqual(pascal.messages.map((m) => m.id), snake.messages.map((m) => m.id));
    });
  });
}
