// Push: subscribers get new messages right after a post commits, from REST or the hub.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MATRIX, connect, newProject, rest, eventually, delay } from "./lib.mjs";

for (const pair of MATRIX) {
  describe(`push over ${pair.name}`, () => {
    it("delivers posts made over REST and over the hub to subscribers of the queue only", async () => {
      const identity = newProject();
      const subscriber = await connect(pair, identity);
      const poster = await connect(MATRIX[0], identity);
      const received = [];
      subscriber.on("Messages", (queue, messages) => {
        received.push(...messages.map((m) => ({ queue, ...m })));
      });
      await subscriber.invoke("Subscribe", "news");

      const restPost = await rest(identity, "POST", "/v2/queues/news/messages", { messages: [{ body: { via: "rest" }, ttl: 300 }] });
      assert.equal(restPost.status, 201);
      const hubPost = await poster.invoke("PostMessages", "news", [{ body: { via: "hub" } }]);
      await poster.invoke("PostMessages", "other-queue", [{ body: "not subscribed" }]);

      await eventually(() => received.length >= 2, 5000, "two pushed messages");
      await delay(100);
      assert.equal(received.length, 2);
      assert.deepEqual(received.map((m) => m.body), [{ via: "rest" }, { via: "hub" }]);
      assert.equal(received[0].queue, "news");
      assert.equal(received[0].ttl, 300);
      assert.equal(received[1].id, hubPost.message_ids[0]);
      assert.equal(received[1].age, 0);

      await subscriber.invoke("Unsubscribe", "news");
      await poster.invoke("PostMessages", "news", [{ body: "after unsubscribe" }]);
      await delay(200);
      assert.equal(received.length, 2);
      await Promise.all([subscriber.stop(), poster.stop()]);
    });

    it("never pushes another project's messages", async () => {
      const mine = await connect(pair);
      const theirs = await connect(MATRIX[0]);
      const received = [];
      mine.on("Messages", (_queue, messages) => {
        received.push(...messages);
      });
      await mine.invoke("Subscribe", "same-name");
      await theirs.invoke("PostMessages", "same-name", [{ body: "theirs" }]);
      await mine.invoke("PostMessages", "same-name", [{ body: "mine" }]);
      await eventually(() => received.length >= 1, 5000, "own push");
      await delay(150);
      assert.deepEqual(received.map((m) => m.body), ["mine"]);
      await Promise.all([mine.stop(), theirs.stop()]);
    });
  });
}
