// What the page's parts share: the connection, who signed in, the project's queues and the open one; and call(), the
// one way a part calls the hub (a failure is shown as the service words it).
import { describeError, type Hub, type SignIn } from "./hub";
import type { MessageCountsView, QueuesHub } from "./queues-hub";
import { showError } from "./view";

export const state = {
  hub: null as Hub | null,
  signIn: null as SignIn | null,
  /** Queue name to its counts (null until read). */
  queues: new Map<string, MessageCountsView | null>(),
  /** Queue name to the connections subscribed to it on every node, this page included (issue 13). */
  consumers: new Map<string, number>(),
  selected: null as string | null,
  /** Message id to the claim id, for messages this page claimed. */
  claims: new Map<string, string>(),
  /** Queue to the id of the last message pushed, to resume after a reconnect (issue 13). */
  lastSeen: new Map<string, string>(),
};

type Result<M extends keyof QueuesHub> = Awaited<ReturnType<QueuesHub[M]>>;

async function attempt<M extends keyof QueuesHub>(method: M, args: Parameters<QueuesHub[M]>): Promise<{ ok: true; value: Result<M> } | { ok: false }> {
  if (!state.hub) {
    showError("Not connected.");
    return { ok: false };
  }
  try {
    const value = (await state.hub.invoke(method, ...args)) as Result<M>;
    showError("");
    return { ok: true, value };
  } catch (error) {
    showError(describeError(error).text);
    return { ok: false };
  }
}

/** Runs a hub call; a failure is shown as the service words it and yields undefined. */
export async function call<M extends keyof QueuesHub>(method: M, ...args: Parameters<QueuesHub[M]>): Promise<Result<M> | undefined> {
  const result = await attempt(method, args);
  return result.ok ? result.value : undefined;
}

/** Runs a hub call that answers nothing (or null for "nothing done"); true when it succeeded. */
export async function act<M extends keyof QueuesHub>(method: M, ...args: Parameters<QueuesHub[M]>): Promise<boolean> {
  return (await attempt(method, args)).ok;
}
