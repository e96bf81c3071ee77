// Recovery (issue 13): a JS client that remembers the last pushed id resumes with SubscribeSince after a new connection,
// as the README shows: the messages posted while it was away, in order, then the live ones, none twice.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MATRIX, connect, newProject, rest, eventually } from "./lib.mjs";

for (const pair of MATRIX) {
  describe(`recovery over ${pair.name}`, () => {
    it("resumes after the last message seen: exactly the missed ones in order, then the live ones", async () => {
      const identity = newProject();
      let lastId = null;
      const received = [];
      const listen = (hub) => hub.on("Messages", (queue, messages) => {
        received.push(...messages.map((m) => m.body));
        if (messages.length) lastId = messages[messages.length - 1].id;
      });
      const first = await connect(pair, identity);
      listen(first);
      await first.invoke("Subscribe", "feed");
      await rest(identity, "POST", "/v2/queues/feed/messages", { messages: [{ body: "seen" }] });
      await eventually(() => received.length === 1, 5000, "the first push");
      await first.stop();

      const missed = await rest(identity, "POST", "/v2/queues/feed/messages",
        { messages: [{ body: "missed 1" }, { body: "missed 2" }, { body: "missed 3" }] });
      assert.equal(missed.status, 201);
      const back = await connect(pair, identity);
      listen(back);
      const answer = await back.invoke("SubscribeSince", "feed", { since: lastId });
      await rest(identity, "POST", "/v2/queues/feed/messages", { messages: [{ body: "live" }] });

      assert.equal(answer.messages_expired, false);
      await eventually(() => received.length >= 5, 5000, "the missed and the live messages");
      assert.deepEqual(received, ["seen", "missed 1", "missed 2", "missed 3", "live"]);
      await back.stop();
    });
  });
}
