// Message bodies are arbitrary JSON values and round-trip exactly across REST, hub JSON and hub MessagePack.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MATRIX, connect, newProject, rest } from "./lib.mjs";

const BODIES = [
  { nested: { list: [1, -2, 3.5, "x", null, true, false], empty: {}, none: [] }, unicode: "héllo ✓ 日本", zebra: 1, alpha: 2 },
  "a plain string",
  12345678901,
  -0.25,
  true,
  null,
  [{ deep: [[[["down"]]]] }],
];

describe("bodies round-trip across transports", () => {
  it("a body posted over MessagePack reads back identical over REST and JSON", async () => {
    const identity = newProject();
    const msgpack = await connect(MATRIX[1], identity);
    const json = await connect(MATRIX[0], identity);
    await msgpack.invoke("PostMessages", "rt", BODIES.map((body) => ({ body })));
    const viaRest = await rest(identity, "GET", "/v2/queues/rt/messages?echo=true&limit=20");
    assert.deepEqual(viaRest.json.messages.map((m) => m.body), BODIES);
    // Key order is kept (the REST text has "zebra" before "alpha", as posted).
    assert.ok(viaRest.text.indexOf('"zebra"') < viaRest.text.indexOf('"alpha"'));
    const viaJson = await json.invoke("ListMessages", "rt", { echo: true, limit: 20 });
    assert.deepEqual(viaJson.messages.map((m) => m.body), BODIES);
    const viaMsgpack = await msgpack.invoke("ListMessages", "rt", { echo: true, limit: 20 });
    assert.deepEqual(viaMsgpack.messages.map((m) => m.body), BODIES);
    await Promise.all([msgpack.stop(), json.stop()]);
  });

  it("a body posted over REST reads back identical over MessagePack and JSON", async () => {
    const identity = newProject();
    const text = JSON.stringify({ messages: BODIES.map((body) => ({ body })) });
    assert.equal((await rest(identity, "POST", "/v2/queues/rt/messages", text)).status, 201);
    for (const pair of [MATRIX[1], MATRIX[3], MATRIX[0]]) {
      const hub = await connect(pair, identity);
      const listed = await hub.invoke("ListMessages", "rt", { echo: true, limit: 20 });
      assert.deepEqual(listed.messages.map((m) => m.body), BODIES, pair.name);
      await hub.stop();
    }
  });
});
