// The JS side of the interop matrix (issue 11): driven by the .NET suite (Clients/InteropMatrixTests) over stdin/stdout,
// one JSON request per line, one JSON answer per line. It holds official JS client connections (any transport and
// protocol), subscribes them, posts through them, and reports what was pushed to each.
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { createInterface } from "node:readline";

const BASE = process.env.HUB_BASE;
const connections = new Map();

const operations = {
  async connect({ name, transport, protocol, project, clientId }) {
    let builder = new signalR.HubConnectionBuilder()
      .withUrl(`${BASE}/hubs/queues?project_id=${encodeURIComponent(project)}&client_id=${clientId}`, {
        transport: signalR.HttpTransportType[transport],
      })
      .configureLogging(signalR.LogLevel.None);
    if (protocol === "messagepack") {
      builder = builder.withHubProtocol(new MessagePackHubProtocol());
    }
    const connection = builder.build();
    const pushed = [];
    connection.on("Messages", (queue, messages) => {
      for (const message of messages) {
        pushed.push({ queue, id: message.id, body: message.body });
      }
    });
    await connection.start();
    connections.set(name, { connection, pushed });
    return null;
  },
  async subscribe({ name, queue }) {
    await connections.get(name).connection.invoke("Subscribe", queue);
    return null;
  },
  async post({ name, queue, bodies }) {
    const posted = await connections.get(name).connection.invoke("PostMessages", queue, bodies.map((body) => ({ body, ttl: 300 })));
    return posted.message_ids;
  },
  // The first `count` messages pushed to the connection, waiting for them at most timeoutMs.
  async pushes({ name, count, timeoutMs }) {
    const { pushed } = connections.get(name);
    const started = Date.now();
    while (pushed.length < count && Date.now() - started < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return pushed.slice(0, count);
  },
  async close({ name }) {
    await connections.get(name)?.connection.stop();
    connections.delete(name);
    return null;
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const request = JSON.parse(line);
  let answer;
  try {
    answer = { id: request.id, ok: true, result: await operations[request.op](request) };
  } catch (error) {
    answer = { id: request.id, ok: false, error: String(error?.message ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
for (const { connection } of connections.values()) {
  await connection.stop();
}
