// The consume stream: claims messages as they arrive; cancelling releases what it still holds.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MATRIX, connect, newProject, rest, eventually } from "./lib.mjs";

for (const pair of MATRIX) {
  describe(`consume stream over ${pair.name}`, () => {
    it("streams claimed messages as they are posted, and releases the undeleted ones when cancelled", async () => {
      const identity = newProject();
      const consumer = await connect(pair, identity);
      const poster = await connect(MATRIX[0], identity);
      const got = [];
      let completed = false;
      const subscription = consumer.stream("Consume", "work", { ttl: 60, grace: 60, batch: 5 }).subscribe({
        next: (item) => got.push(item),
        error: (err) => { throw err; },
        complete: () => { completed = true; },
      });

      // Posted after the stream started waiting: it must be woken, not poll.
      const started = Date.now();
      await poster.invoke("PostMessages", "work", [{ body: "first" }, { body: "second" }]);
      await eventually(() => got.length >= 2, 5000, "two streamed messages");
      assert.ok(Date.now() - started < 1500, "woken by the post, not by the poll interval");
      assert.deepEqual(got.map((m) => m.body), ["first", "second"]);
      assert.ok(got.every((m) => typeof m.claim_id === "string" && m.href.includes(`claim_id=${m.claim_id}`)));

      // Processed one: delete it with its claim id. Leave the other held.
      await poster.invoke("DeleteMessage", "work", got[0].id, got[0].claim_id);
      assert.equal((await rest(identity, "GET", "/v2/queues/work/stats")).json.messages.claimed, 1);

      subscription.dispose();
      await eventually(async () => (await rest(identity, "GET", "/v2/queues/work/stats")).json.messages.claimed === 0, 5000, "claims released");
      const again = await poster.invoke("CreateClaim", "work", null);
      assert.deepEqual(again.messages.map((m) => m.body), ["second"]);
      assert.equal(completed, false);
      await Promise.all([consumer.stop(), poster.stop()]);
    });
  });
}
