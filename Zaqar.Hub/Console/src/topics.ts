// Topics (Zaqar v2.1): listed with their message totals, created, posted to, purged and deleted.
import { act, call } from "./state";
import type { QueueView, TopicPageView } from "./queues-hub";
import { $, button, el, parseJson, showNotice, valueOf } from "./view";

export async function refreshTopics(): Promise<void> {
  const names: string[] = [];
  let marker: string | null = null;
  for (;;) {
    const page: TopicPageView | undefined = await call("ListTopics", { marker, limit: 20 });
    const last: QueueView | undefined = page?.topics.at(-1);
    if (!page || !last) {
      break;
    }
    names.push(...page.topics.map((t) => t.name));
    marker = last.name;
  }
  const totals = await Promise.all(names.map(async (name) => (await call("GetTopicStats", name))?.messages.total));
  $("#topic-table tbody").replaceChildren(...names.map((name, i) => el("tr", { "data-topic": name },
    el("td", {}, name),
    el("td", { class: "num" }, totals[i] ?? "…"),
    el("td", { class: "inline" },
      button("Purge", () => void purgeTopic(name), { kind: "secondary", label: `Purge topic ${name}` }),
      button("Delete", () => void deleteTopic(name), { kind: "danger", label: `Delete topic ${name}` })))));
  $("#no-topics").hidden = names.length > 0;
  const select = $<HTMLSelectElement>("#topic-target");
  const chosen = select.value;
  select.replaceChildren(...names.map((name) => el("option", { value: name, selected: name === chosen }, name)));
}

async function createTopic(event: Event): Promise<void> {
  event.preventDefault();
  const name = valueOf("#new-topic");
  if (await call("CreateTopic", name, null) !== undefined) {
    $<HTMLInputElement>("#new-topic").value = "";
    showNotice(`Topic ${name} created.`);
    await refreshTopics();
  }
}

async function postToTopic(event: Event): Promise<void> {
  event.preventDefault();
  const topic = valueOf("#topic-target");
  const body = parseJson("#topic-body", "The topic message");
  if (!topic || !body.ok) {
    return;
  }
  if (await call("PostTopicMessages", topic, [{ body: body.value as null }]) !== undefined) {
    showNotice(`Posted to topic ${topic}.`);
    await refreshTopics();
  }
}

async function purgeTopic(name: string): Promise<void> {
  if (await act("PurgeTopic", name, ["messages"])) {
    showNotice(`Topic ${name} purged.`);
    await refreshTopics();
  }
}

async function deleteTopic(name: string): Promise<void> {
  if (await act("DeleteTopic", name)) {
    showNotice(`Topic ${name} deleted.`);
    await refreshTopics();
  }
}

export function startTopics(): void {
  $("#create-topic").addEventListener("submit", (e) => void createTopic(e));
  $("#post-topic").addEventListener("submit", (e) => void postToTopic(e));
}
