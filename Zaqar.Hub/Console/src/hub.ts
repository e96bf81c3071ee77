// The hub connection: MessagePack over whatever transport works (WebSockets first, then long polling), automatic
// reconnects, signing in as the deployment authenticates, and every call typed by queues-hub.d.ts (generated from the
// hub class, issue 15 item 4), so a wrong method name, argument or result use fails the console's build.
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import type { HubErrorBody, QueuesClient, QueuesHub, QueuesHubStreams } from "./queues-hub";

const TRANSPORT_NAMES: Record<string, string> = { WebSockets: "WebSockets", ServerSentEvents: "Server-Sent Events", LongPolling: "long polling" };

/** How the deployment authenticates (Auth:Mode): a trusted project id, a JWT, or a Keystone token. */
export type AuthMode = "project" | "jwt" | "keystone";

export interface SignIn {
  mode: AuthMode;
  project: string;
  clientId: string;
  /** X-Roles, trusted only without authentication (e.g. "admin"). */
  roles: string;
  token: string;
}

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "disconnected";

export interface ConnectionDetail {
  transport?: string;
  reconnects?: number;
  error?: Error;
}

/** The hub connection with its calls typed by the hub's definitions. */
export class Hub {
  constructor(readonly connection: signalR.HubConnection) {}

  get connected(): boolean {
    return this.connection.state === signalR.HubConnectionState.Connected;
  }

  invoke<M extends keyof QueuesHub>(method: M, ...args: Parameters<QueuesHub[M]>): ReturnType<QueuesHub[M]> {
    return this.connection.invoke(method, ...args) as ReturnType<QueuesHub[M]>;
  }

  stream<M extends keyof QueuesHubStreams>(method: M, ...args: Parameters<QueuesHubStreams[M]>): ReturnType<QueuesHubStreams[M]> {
    return this.connection.stream(method, ...args) as ReturnType<QueuesHubStreams[M]>;
  }

  on<C extends keyof QueuesClient>(callback: C, handler: QueuesClient[C]): void {
    this.connection.on(callback, handler as (...args: never[]) => void);
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }
}

/** Watches the client's own log for the transport it settles on (the client exposes no API for it). */
class TransportLogger implements signalR.ILogger {
  private trying: string | null = null;

  constructor(private readonly onTransport: (name: string) => void) {}

  log(level: signalR.LogLevel, message: string): void {
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

/** A Zaqar error from a failed hub call (the JSON after "HubException: "), or the raw text. */
export function describeError(error: unknown): { status: number; text: string } {
  const text = String(error instanceof Error ? error.message : error);
  const at = text.lastIndexOf("HubException: ");
  if (at >= 0) {
    try {
      const e = JSON.parse(text.slice(at + "HubException: ".length)) as HubErrorBody;
      return { status: e.status, text: e.description ? `${e.title}: ${e.description}` : e.title };
    } catch {
      // Not our JSON: fall through to the raw text.
    }
  }
  return { status: 0, text };
}

/**
 * The REST API's identity headers for the same sign-in (pre-signed URLs are made over REST): X-Project-ID and
 * Client-ID always, X-Roles without authentication, the token as a bearer (JWT) or as X-Auth-Token (Keystone).
 */
export function restHeaders(signIn: SignIn): Record<string, string> {
  const headers: Record<string, string> = { "Client-ID": signIn.clientId };
  if (signIn.project) {
    headers["X-Project-ID"] = signIn.project;
  }
  if (signIn.mode === "project" && signIn.roles) {
    headers["X-Roles"] = signIn.roles;
  } else if (signIn.mode === "jwt") {
    headers.Authorization = `Bearer ${signIn.token}`;
  } else if (signIn.mode === "keystone") {
    headers["X-Auth-Token"] = signIn.token;
  }
  return headers;
}

export interface HubEvents {
  onState(state: ConnectionState, detail: ConnectionDetail): void;
  onMessages: QueuesClient["Messages"];
  onPresence: QueuesClient["Presence"];
}

/**
 * Opens the hub as <paramref name="signIn"/> says. Browsers cannot set headers on a WebSocket, so the identity goes in
 * the query string (project_id, client_id, roles) and a token through the client's accessTokenFactory (the
 * access_token query parameter on WebSockets, a bearer header on long polling), which the hub reads for JWT and
 * Keystone alike.
 */
export async function openHub(signIn: SignIn, events: HubEvents, transport?: signalR.HttpTransportType): Promise<Hub> {
  let transportName = "";
  let reconnects = 0;
  const query = new URLSearchParams({ client_id: signIn.clientId });
  if (signIn.project) {
    query.set("project_id", signIn.project);
  }
  if (signIn.mode === "project" && signIn.roles) {
    query.set("roles", signIn.roles);
  }
  const options: signalR.IHttpConnectionOptions = {
    transport: transport ?? (signalR.HttpTransportType.WebSockets | signalR.HttpTransportType.LongPolling),
  };
  if (signIn.mode !== "project") {
    options.accessTokenFactory = () => signIn.token;
  }
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/queues?${query}`, options)
    .withHubProtocol(new MessagePackHubProtocol())
    .withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 10000])
    .configureLogging(new TransportLogger((name) => { transportName = name; }))
    .build();
  const hub = new Hub(connection);
  hub.on("Messages", events.onMessages);
  hub.on("Presence", events.onPresence);
  connection.onreconnecting(() => { reconnects++; events.onState("reconnecting", { transport: transportName, reconnects }); });
  connection.onreconnected(() => { events.onState("connected", { transport: transportName, reconnects }); });
  connection.onclose((error) => { events.onState("disconnected", { transport: transportName, reconnects, error }); });
  events.onState("connecting", {});
  await connection.start();
  events.onState("connected", { transport: transportName, reconnects });
  return hub;
}
