// The open queue's messages: listed, arriving live by push, posted, claimed, released and deleted.
import { act, call, state } from "./state";
import type { MessageArgs, PushedMessageView } from "./queues-hub";
import { $, button, claimOf, el, numberOf, parseJson, showError } from "./view";
import { refreshStats } from "./queues";

interface ShownMessage {
  id: string;
  body: unknown;
  ttl: number;
  age: number;
  href?: string;
}

/** A message as a list item; claimId marks it claimed (by this page, or as its href says). */
function messageItem(message: ShownMessage, claimId: string | null): HTMLLIElement {
  const claimed = claimId ?? claimOf(message.href);
  const actions = [button("Delete", () => deleteMessage(message.id, claimed), { kind: "danger", label: `Delete message ${message.id}` })];
  if (claimed && state.claims.has(message.id)) {
    actions.push(button("Release claim", () => releaseClaim(claimed), { kind: "secondary", label: `Release claim of message ${message.id}` }));
  }
  return el("li", { class: claimed ? "claimed" : "", "data-id": message.id },
    el("pre", {}, JSON.stringify(message.body, null, 1)),
    el("div", { class: "meta" }, `id ${message.id} · ttl ${message.ttl}s · age ${message.age}s`, claimed ? ` · claimed (${claimed})` : ""),
    el("div", { class: "inline" }, ...actions));
}

export async function refreshMessages(): Promise<void> {
  const queue = state.selected;
  if (!queue) {
    return;
  }
  const page = await call("ListMessages", queue, { echo: true, include_claimed: true, limit: 20 });
  if (page && queue === state.selected) {
    $("#messages").replaceChildren(...page.messages.map((m) => messageItem(m, state.claims.get(m.id) ?? null)));
  }
}

export function onPushed(queue: string, messages: PushedMessageView[]): void {
  const last = messages.at(-1);
  if (last) {
    state.lastSeen.set(queue, last.id);
  }
  void refreshStats(queue);
  if (queue !== state.selected) {
    return;
  }
  const list = $("#messages");
  for (const message of messages) {
    if (!list.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) {
      const item = messageItem(message, null);
      item.classList.add("fresh");
      list.append(item);
    }
  }
}

async function postMessage(event: Event): Promise<void> {
  event.preventDefault();
  const body = parseJson("#body", "The body");
  if (!body.ok || !state.selected) {
    return;
  }
  const message: MessageArgs = { body: body.value as MessageArgs["body"], ttl: numberOf("#ttl"), delay: numberOf("#delay") };
  await call("PostMessages", state.selected, [message]);
}

async function claimMessages(event: Event): Promise<void> {
  event.preventDefault();
  const queue = state.selected;
  if (!queue) {
    return;
  }
  const claim = await call("CreateClaim", queue, { limit: numberOf("#claim-limit") ?? 5, ttl: 300, grace: 60 });
  if (claim === null) {
    showError("Nothing to claim: every message is claimed, delayed or gone.");
  } else if (claim) {
    for (const m of claim.messages) {
      state.claims.set(m.id, claim.claim_id);
    }
  }
  await Promise.all([refreshMessages(), refreshStats(queue)]);
}

async function deleteMessage(id: string, claimId: string | null): Promise<void> {
  const queue = state.selected;
  if (queue && await act("DeleteMessage", queue, id, claimId)) {
    state.claims.delete(id);
    await Promise.all([refreshMessages(), refreshStats(queue)]);
  }
}

async function releaseClaim(claimId: string): Promise<void> {
  const queue = state.selected;
  if (queue && await act("ReleaseClaim", queue, claimId)) {
    for (const [id, c] of state.claims) {
      if (c === claimId) {
        state.claims.delete(id);
      }
    }
    await Promise.all([refreshMessages(), refreshStats(queue)]);
  }
}

export function startMessages(): void {
  $("#post-message").addEventListener("submit", postMessage);
  $("#claim").addEventListener("submit", claimMessages);
}
