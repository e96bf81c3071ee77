// Helpers of the hub tests: connections over every transport/protocol pair, REST calls, error parsing.
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { randomUUID } from "node:crypto";

export const BASE = process.env.HUB_BASE ?? "http://127.0.0.1:8888";

// SSE carries text only, so MessagePack is not offered over it (the JS client refuses that pair).
export const MATRIX = [
  { name: "websockets+json", transport: signalR.HttpTransportType.WebSockets, protocol: "json" },
  { name: "websockets+messagepack", transport: signalR.HttpTransportType.WebSockets, protocol: "messagepack" },
  { name: "longpolling+json", transport: signalR.HttpTransportType.LongPolling, protocol: "json" },
  { name: "longpolling+messagepack", transport: signalR.HttpTransportType.LongPolling, protocol: "messagepack" },
  { name: "serversentevents+json", transport: signalR.HttpTransportType.ServerSentEvents, protocol: "json" },
];

export function newProject() {
  return { project: "js-" + randomUUID().slice(0, 12), clientId: randomUUID() };
}

/** Opens a hub connection for a project; identity goes in the query string, as a browser must send it. */
export async function connect({ transport, protocol }, identity = newProject(), extraQuery = "") {
  const url = `${BASE}/hubs/queues?project_id=${encodeURIComponent(identity.project)}&client_id=${identity.clientId}${extraQuery}`;
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(url, { transport })
    .configureLogging(signalR.LogLevel.None);
  if (protocol === "messagepack") {
    builder = builder.withHubProtocol(new MessagePackHubProtocol());
  }
  const connection = builder.build();
  await connection.start();
  connection.identity = identity;
  return connection;
}

/** Parses the Zaqar error a hub call failed with: {status, title, description}. */
export function zaqarError(error) {
  const message = String(error?.message ?? error);
  const at = message.indexOf("HubException: ");
  if (at < 0) {
    throw new Error("not a Zaqar hub error: " + message);
  }
  // A client's mistake must not read as a server fault: no SignalR "unexpected error" sentence before it.
  if (/unexpected error/i.test(message)) {
    throw new Error("a Zaqar error worded as an unexpected one: " + message);
  }
  return JSON.parse(message.slice(at + "HubException: ".length));
}

/** Runs a hub call that must fail, and returns the Zaqar error. */
export async function expectZaqarError(promise) {
  try {
    await promise;
  } catch (error) {
    return zaqarError(error);
  }
  throw new Error("the call succeeded but should have failed");
}

/** A REST call of the same project; returns {status, json, text, headers}. */
export async function rest(identity, method, path, body) {
  const response = await fetch(BASE + path, {
    method,
    headers: {
      "Client-ID": identity.clientId,
      "X-Project-ID": identity.project,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : null, headers: response.headers };
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until check() is truthy (polling every 20 ms), failing after timeoutMs. */
export async function eventually(check, timeoutMs = 5000, what = "condition") {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const value = await check();
    if (value) {
      return value;
    }
    await delay(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
