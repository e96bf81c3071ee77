// The project's queues: listed with live counts and consumer counts (presence, issue 13), created, deleted, opened.
import { act, call, state } from "./state";
import type { PresenceEventView, QueuePageView, QueueView } from "./queues-hub";
import { $, button, el, valueOf } from "./view";
import { refreshMessages } from "./messages";
import { refreshMetadata } from "./metadata";
import { refreshSubscriptions } from "./subscriptions";
import { followQueues } from "./charts";

export async function refreshQueues(): Promise<void> {
  const names: string[] = [];
  let marker: string | null = null;
  for (;;) {
    const page: QueuePageView | undefined = await call("ListQueues", { marker, limit: 20 });
    const last: QueueView | undefined = page?.queues.at(-1);
    if (!page || !last) {
      break;
    }
    names.push(...page.queues.map((q) => q.name));
    marker = last.name;
  }
  state.queues = new Map(names.map((n) => [n, state.queues.get(n) ?? null]));
  await Promise.all(names.map(async (name) => {
    await subscribe(name);
    await watchPresence(name);
    await refreshStats(name);
  }));
  renderQueues();
  followQueues(names);
}

/** Counts the queue's consumers now, then follows their joins and leaves (after a reconnect: counts again). */
async function watchPresence(name: string): Promise<void> {
  const presence = await call("SubscribePresence", name);
  if (presence) {
    state.consumers.set(name, presence.connections);
  }
}

export function onPresence(queue: string, changes: PresenceEventView[]): void {
  const count = state.consumers.get(queue);
  if (count === undefined) {
    return;
  }
  const delta = changes.reduce((sum, change) => sum + (change.event === "join" ? 1 : -1), 0);
  state.consumers.set(queue, Math.max(0, count + delta));
  renderQueues();
}

/** Subscribes to a queue; after a reconnect, resumes after the last message pushed, so none posted meanwhile is missed. */
async function subscribe(name: string): Promise<void> {
  const since = state.lastSeen.get(name);
  if (since && await call("SubscribeSince", name, { since }) !== undefined) {
    return;
  }
  state.lastSeen.delete(name); // Never pushed one, or the queue was made again since (a 400): start from new messages.
  await act("Subscribe", name);
}

export async function refreshStats(name: string): Promise<void> {
  const stats = await call("GetQueueStats", name);
  if (stats && state.queues.has(name)) {
    state.queues.set(name, stats.messages);
    renderQueues();
  }
}

/** Updates the table in place (rows are reused), so a keyboard user's focus survives live updates. */
export function renderQueues(): void {
  const body = $<HTMLTableSectionElement>("#queue-table tbody");
  const rows = new Map([...body.rows].map((row) => [row.dataset.queue ?? "", row]));
  for (const [name, row] of rows) {
    if (!state.queues.has(name)) {
      row.remove();
    }
  }
  let previous: HTMLTableRowElement | null = null;
  for (const [name, stats] of state.queues) {
    let row = rows.get(name);
    if (!row) {
      row = el("tr", { "data-queue": name },
        el("td", {}, el("button", { class: "link", type: "button", onclick: () => void selectQueue(name), "aria-label": `Open queue ${name}` }, name)),
        el("td", { class: "num" }), el("td", { class: "num" }), el("td", { class: "num" }), el("td", { class: "num" }),
        el("td", {}, button("Delete", () => void deleteQueue(name), { kind: "danger", label: `Delete queue ${name}` })));
    }
    if (row.previousSibling !== previous || row.parentNode !== body) {
      body.insertBefore(row, previous ? previous.nextSibling : body.firstChild);
    }
    row.classList.toggle("selected", name === state.selected);
    row.cells[1].textContent = String(stats?.free ?? "…");
    row.cells[2].textContent = String(stats?.claimed ?? "…");
    row.cells[3].textContent = String(stats?.total ?? "…");
    row.cells[4].textContent = String(state.consumers.get(name) ?? "…");
    previous = row;
  }
  $("#no-queues").hidden = state.queues.size > 0;
}

async function createQueue(event: Event): Promise<void> {
  event.preventDefault();
  const name = valueOf("#new-queue");
  if (await call("CreateQueue", name, null) !== undefined) {
    $<HTMLInputElement>("#new-queue").value = "";
    await refreshQueues();
    await selectQueue(name);
  }
}

async function deleteQueue(name: string): Promise<void> {
  if (await act("DeleteQueue", name)) {
    if (state.selected === name) {
      closeQueue();
    }
    await refreshQueues();
  }
}

export function closeQueue(): void {
  state.selected = null;
  $("#queue-view").hidden = true;
  $("#queue-title").textContent = "Select a queue";
}

export async function selectQueue(name: string): Promise<void> {
  state.selected = name;
  $("#queue-title").textContent = `Queue ${name}`;
  $("#queue-view").hidden = false;
  renderQueues();
  await Promise.all([refreshMessages(), refreshSubscriptions(), refreshMetadata(), refreshStats(name)]);
}

export function startQueues(): void {
  $("#create-queue").addEventListener("submit", (e) => void createQueue(e));
  $("#refresh").addEventListener("click", () => { if (state.selected) { void selectQueue(state.selected); } });
}
