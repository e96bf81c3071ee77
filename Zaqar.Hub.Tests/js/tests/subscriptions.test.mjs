// Subscription methods (issue #4) over WebSockets with both protocols: argument objects with nested options bind,
// answers have REST's shapes, and a connection can be the subscriber.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { MATRIX, connect, expectZaqarError, rest, eventually } from "./lib.mjs";

for (const pair of MATRIX.filter((p) => p.name.startsWith("websockets"))) {
  describe(`subscriptions over ${pair.name}`, () => {
    const connections = [];
    after(async () => Promise.all(connections.map((c) => c.stop())));
    const open = async () => {
      const c = await connect(pair);
      connections.push(c);
      return c;
    };

    it("creates, lists, gets, updates, confirms and deletes webhook subscriptions", async () => {
      const hub = await open();
      const options = { post_headers: { "X-Token": "t" }, _retry_policy: { retries_with_no_delay: 1, retry_backoff_function: "geometric" } };
      const { subscription_id: id } = await hub.invoke("CreateSubscription", "q", { subscriber: "http://127.0.0.1:9/h", ttl: 120, options });
      const page = await hub.invoke("ListSubscriptions", "q", { limit: 5 });
      assert.equal(page.subscriptions.length, 1);
      assert.match(page.links[0].href, new RegExp(`marker=${id}`));
      const one = await hub.invoke("GetSubscription", "q", id);
      assert.deepEqual(one.options, options);
      assert.equal(one.ttl, 120);
      assert.equal(one.source, "q");
      assert.equal(one.delivery.pending, 0);
      assert.deepEqual(await rest(hub.identity, "GET", `/v2/queues/q/subscriptions/${id}`).then((r) => r.json.options), options);
      await hub.invoke("UpdateSubscription", "q", id, { options: { a: [1, { b: null }] } });
      assert.deepEqual((await hub.invoke("GetSubscription", "q", id)).options, { a: [1, { b: null }] });
      await hub.invoke("ConfirmSubscription", "q", id, { confirmed: true });
      assert.equal((await hub.invoke("GetSubscription", "q", id)).confirmed, true);
      const conflict = await expectZaqarError(hub.invoke("CreateSubscription", "q", { subscriber: "http://127.0.0.1:9/h" }));
      assert.equal(conflict.status, 409);
      await hub.invoke("DeleteSubscription", "q", id);
      assert.equal((await expectZaqarError(hub.invoke("GetSubscription", "q", id))).status, 404);
    });

    it("makes the connection the subscriber when no subscriber is given", async () => {
      const hub = await open();
      const received = [];
      hub.on("Messages", (queue, messages) => received.push(...messages.map((m) => ({ queue, ...m }))));
      const { subscription_id: id } = await hub.invoke("CreateSubscription", "pushed", { options: { note: "mine" } });
      const posted = await rest(hub.identity, "POST", "/v2/queues/pushed/messages", { messages: [{ body: { n: 1 } }] });
      assert.equal(posted.status, 201);
      await eventually(() => received.length === 1, 5000, "the pushed message");
      assert.deepEqual(received[0].body, { n: 1 });
      assert.equal(received[0].queue, "pushed");
      const listed = await rest(hub.identity, "GET", "/v2/queues/pushed/subscriptions");
      assert.equal(listed.json.subscriptions[0].id, id);
      assert.match(listed.json.subscriptions[0].subscriber, /^hub:/);
      await hub.stop();
      await eventually(
        async () => (await rest(hub.identity, "GET", "/v2/queues/pushed/subscriptions")).json.subscriptions.length === 0,
        5000, "the subscription to end with the connection");
    });
  });
}
