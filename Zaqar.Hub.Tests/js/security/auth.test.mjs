// The hub with production authentication (issue #6): tokens from the SignalR client's accessTokenFactory,
// expiry closing the connection, pre-signed URLs at connect, and the per-project connection cap.
// The server runs with Auth:Mode=Jwt, a symmetric key (JWT_KEY), no clock skew and a cap of 3 connections.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { BASE, expectZaqarError, eventually } from "../tests/lib.mjs";

const KEY = Buffer.from(process.env.JWT_KEY ?? "", "base64");
const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

function token(project, { roles, lifetimeSeconds = 600 } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url({ alg: "HS256", typ: "JWT" });
  const payload = b64url({ iss: process.env.JWT_ISSUER, aud: process.env.JWT_AUDIENCE, project_id: project, roles, iat: now, nbf: now - 5, exp: now + lifetimeSeconds });
  const signature = createHmac("sha256", KEY).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

function build(query, accessToken, protocol = "json") {
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(`${BASE}/hubs/queues?client_id=${randomUUID()}${query}`, accessToken ? { accessTokenFactory: () => accessToken } : {})
    .configureLogging(signalR.LogLevel.None);
  if (protocol === "messagepack") {
    builder = builder.withHubProtocol(new MessagePackHubProtocol());
  }
  return builder.build();
}

const newProject = () => "auth-" + randomUUID().slice(0, 8);

describe("hub authentication", () => {
  it("refuses a connection without a valid token (401)", async () => {
    await assert.rejects(build("&project_id=p", null).start(), /401/);
    await assert.rejects(build("", token("p", { lifetimeSeconds: -60 })).start(), /401/);
  });

  it("takes the project from the token, and roles for admin calls", async () => {
    const project = newProject();
    for (const protocol of ["json", "messagepack"]) {
      const hub = build("", token(project), protocol);
      await hub.start();
      await hub.invoke("PostMessages", "q", [{ body: protocol }]);
      const denied = await expectZaqarError(hub.invoke("Health"));
      assert.equal(denied.status, 403);
      await hub.stop();
    }
    const admin = build("", token(project, { roles: ["admin"] }));
    await admin.start();
    const listed = await admin.invoke("ListMessages", "q", { echo: true });
    assert.deepEqual(listed.messages.map((m) => m.body), ["json", "messagepack"]);
    assert.equal((await admin.invoke("Health")).storage_reachable, true);
    await admin.stop();
  });

  it("closes a connection when its token expires", async () => {
    const hub = build("", token(newProject(), { lifetimeSeconds: 2 }));
    let closedWith;
    hub.onclose((error) => { closedWith = error ?? new Error("closed without error"); });
    await hub.start();
    assert.equal(await hub.invoke("Ping"), true);
    await eventually(() => closedWith, 8000, "the expiry close");
    assert.match(closedWith.message, /Authentication expired\./);
  });

  it("caps connections per project (429 past the cap)", async () => {
    const project = newProject();
    const open = [];
    try {
      for (let i = 0; i < 3; i++) {
        const hub = build("", token(project));
        await hub.start();
        // A call is served only after the server has counted the connection (start() resolves at the handshake).
        await hub.invoke("Ping");
        open.push(hub);
      }
      await assert.rejects(build("", token(project)).start(), /429/);
      await open.pop().stop();
      await eventually(async () => {
        const again = build("", token(project));
        try {
          await again.start();
          open.push(again);
          return true;
        } catch {
          return false; // The closed connection may not be uncounted yet.
        }
      }, 5000, "a connection once below the cap");
    } finally {
      await Promise.all(open.map((h) => h.stop()));
    }
  });
});

describe("hub with a pre-signed URL", () => {
  it("needs no token and may only call what the URL allows", async () => {
    const project = newProject();
    const share = await fetch(`${BASE}/v2/queues/shared/share`, {
      method: "POST",
      headers: { "Client-ID": randomUUID(), Authorization: `Bearer ${token(project)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ paths: ["messages"], methods: ["GET", "POST"] }),
    }).then((r) => r.json());
    const query = `&project_id=${project}&url_signature=${share.signature}&url_expires=${encodeURIComponent(share.expires)}` +
      `&url_methods=${share.methods.join(",")}&url_paths=${encodeURIComponent(share.paths.join(","))}`;
    const hub = build(query, null, "messagepack");
    await hub.start();
    await hub.invoke("PostMessages", "shared", [{ body: "signed" }]);
    assert.deepEqual((await hub.invoke("ListMessages", "shared", { echo: true })).messages.map((m) => m.body), ["signed"]);
    assert.equal((await expectZaqarError(hub.invoke("DeleteQueue", "shared"))).status, 404);
    assert.equal((await expectZaqarError(hub.invoke("CreateClaim", "shared", null))).status, 404);
    assert.equal((await expectZaqarError(hub.invoke("PostMessages", "other", [{ body: 1 }]))).status, 404);
    await hub.stop();

    const forged = build(query.replace(share.signature, "0".repeat(64)), null);
    await assert.rejects(forged.start(), /404/);
  });
});
