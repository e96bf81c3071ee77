// Identity is fixed per connection and validated at connect, as REST validates its headers.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { BASE, MATRIX, connect, newProject, rest } from "./lib.mjs";

describe("connection identity", () => {
  it("refuses a connection without a project", async () => {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${BASE}/hubs/queues?client_id=${crypto.randomUUID()}`)
      .configureLogging(signalR.LogLevel.None)
      .build();
    await assert.rejects(connection.start(), /400/);
  });

  it("refuses a connection with a malformed Client-ID", async () => {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${BASE}/hubs/queues?project_id=p&client_id=not-a-uuid`)
      .configureLogging(signalR.LogLevel.None)
      .build();
    await assert.rejects(connection.start(), /400/);
  });

  it("takes identity from headers too (non-browser clients)", async () => {
    const identity = newProject();
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${BASE}/hubs/queues`, {
        transport: signalR.HttpTransportType.LongPolling,
        headers: { "X-Project-ID": identity.project, "Client-ID": identity.clientId },
      })
      .configureLogging(signalR.LogLevel.None)
      .build();
    await connection.start();
    await connection.invoke("PostMessages", "hdr", [{ body: "from headers" }]);
    const listed = await rest(identity, "GET", "/v2/queues/hdr/messages?echo=true");
    assert.equal(listed.json.messages[0].body, "from headers");
    await connection.stop();
  });

  it("scopes every call to the connection's project", async () => {
    const a = await connect(MATRIX[0]);
    const b = await connect(MATRIX[1]);
    await a.invoke("PostMessages", "shared-name", [{ body: "a's" }]);
    assert.deepEqual((await b.invoke("ListMessages", "shared-name", { echo: true })).messages, []);
    assert.equal((await b.invoke("GetQueueStats", "shared-name")).messages.total, 0);
    await Promise.all([a.stop(), b.stop()]);
  });
});
