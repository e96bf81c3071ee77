// The hub connection: MessagePack over whatever transport works (WebSockets first, then long polling),
// automatic reconnects, and what the page needs to know about it (transport in use, Zaqar errors).
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

const TRANSPORT_NAMES = { WebSockets: "WebSockets", ServerSentEvents: "Server-Sent Events", LongPolling: "long polling" };

/** Watches the client's own log for the transport it settles on (the client exposes no API for it). */
class TransportLogger {
  constructor(onTransport) {
    this.onTransport = onTransport;
    this.trying = null;
  }
  log(level, message) {
    const selecting = /Selecting transport '(\w+)'/.exec(message);
    if (selecting) {
      this.trying = selecting[1];
    } else if (/connected successfully/.test(message) && this.trying) {
      this.onTransport(TRANSPORT_NAMES[this.trying] ?? this.trying);
    }
    if (level >= signalR.LogLevel.Error) {
      console.error(message);
    }
  }
}

/** A Zaqar error from a failed hub call: the JSON after "HubException: ", or the raw text. */
export function describeError(error) {
  const text = String(error?.message ?? error);
  const at = text.lastIndexOf("HubException: ");
  if (at >= 0) {
    try {
      const e = JSON.parse(text.slice(at + "HubException: ".length));
      return { status: e.status, text: e.description ? `${e.title}: ${e.description}` : e.title };
    } catch {
      // Not our JSON: fall through to the raw text.
    }
  }
  return { status: 0, text };
}

/**
 * Opens the hub for a project. Callbacks: onState(state, detail) with state connecting | connected |
 * reconnecting | disconnected; onMessages(queue, messages) for pushes; onPresence(queue, changes) for the joins and
 * leaves of watched queues.
 */
export async function openHub({ project, clientId, onState, onMessages, onPresence }) {
  let transport = "";
  let reconnects = 0;
  const query = `project_id=${encodeURIComponent(project)}&client_id=${encodeURIComponent(clientId)}`;
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/queues?${query}`, {
      transport: signalR.HttpTransportType.WebSockets | signalR.HttpTransportType.LongPolling,
    })
    .withHubProtocol(new MessagePackHubProtocol())
    .withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 10000])
    .configureLogging(new TransportLogger((name) => { transport = name; }))
    .build();
  connection.on("Messages", (queue, messages) => { onMessages(queue, messages); });
  connection.on("Presence", (queue, changes) => { onPresence?.(queue, changes); });
  connection.onreconnecting(() => { reconnects++; onState("reconnecting", { transport, reconnects }); });
  connection.onreconnected(() => { onState("connected", { transport, reconnects }); });
  connection.onclose((error) => { onState("disconnected", { transport, reconnects, error }); });
  onState("connecting", {});
  await connection.start();
  onState("connected", { transport, reconnects });
  return connection;
}
