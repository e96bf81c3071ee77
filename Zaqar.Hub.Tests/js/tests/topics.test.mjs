// Topics on the hub (Zaqar v2.1): every topic method over JSON and MessagePack with REST's shapes, and push to
// topic subscribers apart from a queue of the same name.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { MATRIX, connect, newProject, expectZaqarError, rest, eventually, delay } from "./lib.mjs";

// One transport is enough here (the transports are covered by methods.test.mjs); the protocols are what differ.
const PAIRS = MATRIX.filter((p) => p.name.startsWith("websockets+"));

for (const pair of PAIRS) {
  describe(`topic methods over ${pair.name}`, () => {
    const connections = [];
    after(async () => Promise.all(connections.map((c) => c.stop())));
    const open = async (identity) => {
      const c = await connect(pair, identity);
      connections.push(c);
      return c;
    };

    it("creates, reads, patches, lists, counts, purges and deletes topics apart from queues", async () => {
      const hub = await open();
      assert.deepEqual(await hub.invoke("CreateTopic", "news", { color: "blue" }), { created: true });
      assert.deepEqual(await hub.invoke("CreateTopic", "news", null), { created: false });
      const metadata = await hub.invoke("GetTopic", "news");
      assert.deepEqual(Object.keys(metadata).sort(), ["_default_message_delay", "_default_message_ttl", "_max_messages_post_size", "color"]);
      const patched = await hub.invoke("UpdateTopicMetadata", "news", [{ op: "replace", path: "/metadata/color", value: "red" }]);
      assert.equal(patched.color, "red");
      await hub.invoke("CreateTopic", "weather", null);
      const page = await hub.invoke("ListTopics", { limit: 1, with_count: true, detailed: true });
      assert.equal(page.topics.length, 1);
      assert.equal(page.topics[0].href, "/v2/topics/news");
      assert.equal(page.topics[0].metadata.color, "red");
      assert.equal(page.count, 2);
      assert.equal(page.links[0].href, "/v2/topics?limit=1&detailed=true&with_count=true&marker=news");
      assert.deepEqual((await hub.invoke("ListTopics", { marker: "news" })).topics.map((t) => t.name), ["weather"]);
      assert.deepEqual((await hub.invoke("ListQueues", null)).queues, [], "topics are not queues");
      await hub.invoke("PostTopicMessages", "news", [{ body: 1 }]);
      await hub.invoke("PurgeTopic", "news", ["messages"]);
      assert.deepEqual(await hub.invoke("GetTopicStats", "news"), { messages: { total: 0 } });
      await hub.invoke("DeleteTopic", "news");
      await hub.invoke("DeleteTopic", "weather");
      assert.deepEqual((await hub.invoke("ListTopics", null)).topics, []);
    });

    it("posts, lists, gets, deletes and pops topic messages", async () => {
      const hub = await open();
      const posted = await hub.invoke("PostTopicMessages", "t", [{ body: { a: 1 }, ttl: 300 }, { body: "two" }, { body: [3] }, { body: 4 }]);
      assert.deepEqual(posted.resources, posted.message_ids.map((id) => `/v2/topics/t/messages/${id}`));
      const page = await hub.invoke("ListTopicMessages", "t", { echo: true, limit: 2 });
      assert.deepEqual(page.messages.map((m) => m.body), [{ a: 1 }, "two"]);
      assert.equal(page.messages[0].href, `/v2/topics/t/messages/${posted.message_ids[0]}`);
      assert.match(page.links[0].href, new RegExp(`^/v2/topics/t/messages\\?.*marker=${posted.message_ids[1]}`));
      assert.deepEqual((await hub.invoke("ListTopicMessages", "t", null)).messages, [], "own messages are hidden without echo");
      assert.deepEqual((await hub.invoke("GetTopicMessage", "t", posted.message_ids[2])).body, [3]);
      assert.equal((await hub.invoke("GetTopicMessages", "t", posted.message_ids.slice(0, 2))).messages.length, 2);
      const stats = await hub.invoke("GetTopicStats", "t");
      assert.equal(stats.messages.total, 4);
      assert.equal(stats.messages.oldest.href, `/v2/topics/t/messages/${posted.message_ids[0]}`);
      assert.equal("claimed" in stats.messages, false);
      await hub.invoke("DeleteTopicMessage", "t", posted.message_ids[3]);
      await hub.invoke("DeleteTopicMessages", "t", [posted.message_ids[2]]);
      const popped = await hub.invoke("PopTopicMessages", "t", 5);
      assert.deepEqual(popped.messages.map((m) => m.body), [{ a: 1 }, "two"]);
      assert.deepEqual(Object.keys(popped.messages[0]).sort(), ["age", "body", "id", "ttl"], "a topic pop has no claim fields");
      assert.deepEqual(await hub.invoke("GetTopicStats", "t"), { messages: { total: 0 } });
    });

    it("reports Zaqar's topic errors as REST does", async () => {
      const hub = await open();
      const name = await expectZaqarError(hub.invoke("PostTopicMessages", "bad name!", [{ body: 1 }]));
      assert.deepEqual(name, {
        status: 400,
        title: "Invalid topic identification",
        description: "The format of the submitted topic name or project id is not valid.",
      });
      const patch = await expectZaqarError(hub.invoke("UpdateTopicMetadata", "missing", [{ op: "add", path: "/metadata/a", value: 1 }]));
      assert.deepEqual(patch, { status: 404, title: "Not found", description: `Topic missing does not exist for project ${hub.identity.project}` });
      const missing = await expectZaqarError(hub.invoke("GetTopicMessage", "t", "00000000-0000-0001-0000-000000000000"));
      const viaRest = await rest(hub.identity, "GET", "/v2/topics/t/messages/00000000-0000-0001-0000-000000000000");
      assert.equal(missing.status, viaRest.status);
      assert.equal(missing.description, viaRest.json.description);
    });

    it("pushes a topic's posts to its subscribers through TopicMessages, apart from a queue of the same name", async () => {
      const identity = newProject();
      const subscriber = await open(identity);
      const poster = await open(identity);
      const topicPushes = [];
      const queuePushes = [];
      subscriber.on("TopicMessages", (topic, messages) => topicPushes.push(...messages.map((m) => ({ topic, ...m }))));
      subscriber.on("Messages", (queue, messages) => queuePushes.push(...messages.map((m) => ({ queue, ...m }))));
      await subscriber.invoke("SubscribeTopic", "news");
      await subscriber.invoke("Subscribe", "news");

      const viaRest = await rest(identity, "POST", "/v2/topics/news/messages", { messages: [{ body: { via: "rest" }, ttl: 300 }] });
      assert.equal(viaRest.status, 201);
      const viaHub = await poster.invoke("PostTopicMessages", "news", [{ body: { via: "hub" } }]);
      await poster.invoke("PostMessages", "news", [{ body: "to the queue" }]);

      await eventually(() => topicPushes.length >= 2 && queuePushes.length >= 1, 5000, "pushes");
      await delay(100);
      assert.deepEqual(topicPushes.map((m) => m.body), [{ via: "rest" }, { via: "hub" }]);
      assert.equal(topicPushes[0].topic, "news");
      assert.equal(topicPushes[0].ttl, 300);
      assert.equal(topicPushes[1].id, viaHub.message_ids[0]);
      assert.deepEqual(queuePushes.map((m) => m.body), ["to the queue"]);

      await subscriber.invoke("UnsubscribeTopic", "news");
      await poster.invoke("PostTopicMessages", "news", [{ body: "after unsubscribe" }]);
      await delay(200);
      assert.equal(topicPushes.length, 2);
    });
  });
}
