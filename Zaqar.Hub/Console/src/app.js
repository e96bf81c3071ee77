// The ZaqarHub console: a project's queues with live stats and consumer counts, a queue's messages arriving live by push,
// posting, claiming and deleting, and the queue's subscriptions. One hub connection (MessagePack).
import { openHub, describeError } from "./hub.js";
import { $, el, showError, setConnection, messageItem } from "./view.js";

const state = {
  hub: null,
  queues: new Map(), // name -> stats {free, claimed, total}
  consumers: new Map(), // name -> connections subscribed to it on every node, this page included (issue 13)
  selected: null,
  claims: new Map(), // message id -> claim id, for messages this page claimed
  lastSeen: new Map(), // queue -> id of the last message pushed, to resume after a reconnect (issue 13)
};

function identity() {
  const params = new URLSearchParams(location.search);
  const project = params.get("project") ?? localStorage.getItem("zaqar.project") ?? "demo";
  let clientId = params.get("client_id") ?? localStorage.getItem("zaqar.client");
  if (!clientId) {
    clientId = crypto.randomUUID();
    localStorage.setItem("zaqar.client", clientId);
  }
  return { project, clientId };
}

/** Runs a hub call; a failure is shown as the service words it and yields undefined. */
async function call(method, ...args) {
  try {
    const result = await state.hub.invoke(method, ...args);
    showError("");
    return result;
  } catch (error) {
    showError(describeError(error).text);
    return undefined;
  }
}

async function connect(event) {
  event?.preventDefault();
  const project = $("#project").value.trim();
  const clientId = $("#client-id").value.trim();
  localStorage.setItem("zaqar.project", project);
  if (state.hub) {
    await state.hub.stop();
  }
  state.queues.clear();
  state.consumers.clear();
  state.lastSeen.clear();
  state.selected = null;
  try {
    state.hub = await openHub({
      project,
      clientId,
      onState: (s, detail) => {
        setConnection(s, detail);
        if (s === "connected" && detail.reconnects) {
          // Subscriptions end with a connection: take them up again on the new one.
          refreshQueues();
          if (state.selected) {
            selectQueue(state.selected);
          }
        }
      },
      onMessages: onPushed,
      onPresence,
    });
    showError("");
    await refreshQueues();
  } catch (error) {
    setConnection("disconnected", {});
    showError(`Could not connect: ${describeError(error).text}`);
  }
}

async function refreshQueues() {
  const names = [];
  let marker = null;
  for (;;) {
    const page = await call("ListQueues", { marker, limit: 20 });
    if (!page || page.queues.length === 0) {
      break;
    }
    names.push(...page.queues.map((q) => q.name));
    marker = page.queues.at(-1).name;
  }
  state.queues = new Map(names.map((n) => [n, state.queues.get(n) ?? null]));
  await Promise.all(names.map(async (name) => {
    await subscribe(name);
    await watchPresence(name);
    await refreshStats(name);
  }));
  renderQueues();
}

/** Counts the queue's consumers now, then follows their joins and leaves (after a reconnect: counts again). */
async function watchPresence(name) {
  const presence = await call("SubscribePresence", name);
  if (presence) {
    state.consumers.set(name, presence.connections);
  }
}

function onPresence(queue, changes) {
  if (!state.consumers.has(queue)) {
    return;
  }
  const delta = changes.reduce((sum, change) => sum + (change.event === "join" ? 1 : -1), 0);
  state.consumers.set(queue, Math.max(0, state.consumers.get(queue) + delta));
  renderQueues();
}

/** Subscribes to a queue; after a reconnect, resumes after the last message pushed, so none posted meanwhile is missed. */
async function subscribe(name) {
  const since = state.lastSeen.get(name);
  if (since && (await call("SubscribeSince", name, { since })) !== undefined) {
    return;
  }
  state.lastSeen.delete(name); // Never pushed one, or the queue was made again since (a 400): start from new messages.
  await call("Subscribe", name);
}

async function refreshStats(name) {
  const stats = await call("GetQueueStats", name);
  if (stats) {
    state.queues.set(name, stats.messages);
    renderQueues();
  }
}

/** Updates the table in place (rows are reused), so a keyboard user's focus survives live updates. */
function renderQueues() {
  const body = $("#queue-table tbody");
  const rows = new Map([...body.rows].map((row) => [row.dataset.queue, row]));
  for (const [name, row] of rows) {
    if (!state.queues.has(name)) {
      row.remove();
    }
  }
  let previous = null;
  for (const [name, stats] of state.queues) {
    let row = rows.get(name);
    if (!row) {
      row = el("tr", { "data-queue": name },
        el("td", {}, el("button", { class: "link", type: "button", onclick: () => selectQueue(name), "aria-label": `Open queue ${name}` }, name)),
        el("td", { class: "num" }), el("td", { class: "num" }), el("td", { class: "num" }), el("td", { class: "num" }),
        el("td", {}, el("button", { class: "danger", type: "button", onclick: () => deleteQueue(name), "aria-label": `Delete queue ${name}` }, "Delete")));
    }
    if (row.previousSibling !== previous || row.parentNode !== body) {
      body.insertBefore(row, previous ? previous.nextSibling : body.firstChild);
    }
    row.classList.toggle("selected", name === state.selected);
    row.cells[1].textContent = stats?.free ?? "…";
    row.cells[2].textContent = stats?.claimed ?? "…";
    row.cells[3].textContent = stats?.total ?? "…";
    row.cells[4].textContent = state.consumers.get(name) ?? "…";
    previous = row;
  }
  $("#no-queues").hidden = state.queues.size > 0;
}

async function createQueue(event) {
  event.preventDefault();
  const name = $("#new-queue").value.trim();
  if (await call("CreateQueue", name, null) !== undefined) {
    $("#new-queue").value = "";
    await refreshQueues();
    await selectQueue(name);
  }
}

async function deleteQueue(name) {
  if (await call("DeleteQueue", name) !== undefined) {
    if (state.selected === name) {
      state.selected = null;
      $("#queue-view").hidden = true;
      $("#queue-title").textContent = "Select a queue";
    }
    await refreshQueues();
  }
}

async function selectQueue(name) {
  state.selected = name;
  $("#queue-title").textContent = `Queue ${name}`;
  $("#queue-view").hidden = false;
  renderQueues();
  await Promise.all([refreshMessages(), refreshSubscriptions(), refreshStats(name)]);
}

async function refreshMessages() {
  const queue = state.selected;
  const page = await call("ListMessages", queue, { echo: true, include_claimed: true, limit: 20 });
  if (page && queue === state.selected) {
    $("#messages").replaceChildren(...page.messages.map((m) => messageItem(m, state.claims.get(m.id), actions)));
  }
}

function actions(message, claimId) {
  const remove = el("button", { class: "danger", type: "button", onclick: () => deleteMessage(message.id, claimId), "aria-label": `Delete message ${message.id}` }, "Delete");
  if (!claimId || !state.claims.has(message.id)) {
    return [remove];
  }
  const release = el("button", { class: "secondary", type: "button", onclick: () => releaseClaim(claimId) }, "Release claim");
  return [remove, release];
}

function onPushed(queue, messages) {
  if (messages.length > 0) {
    state.lastSeen.set(queue, messages.at(-1).id);
  }
  refreshStats(queue);
  if (queue !== state.selected) {
    return;
  }
  const list = $("#messages");
  for (const message of messages) {
    if (!list.querySelector(`[data-id="${message.id}"]`)) {
      const item = messageItem(message, null, actions);
      item.classList.add("fresh");
      list.append(item);
    }
  }
}

async function postMessage(event) {
  event.preventDefault();
  let body;
  try {
    body = JSON.parse($("#body").value);
  } catch (error) {
    showError(`The body is not valid JSON: ${error.message}`);
    $("#body").focus();
    return;
  }
  const number = (id) => ($(id).value.trim() === "" ? undefined : Number($(id).value));
  const message = { body, ttl: number("#ttl"), delay: number("#delay") };
  await call("PostMessages", state.selected, [message]);
}

async function claimMessages() {
  const queue = state.selected;
  const claim = await call("CreateClaim", queue, { limit: Number($("#claim-limit").value), ttl: 300, grace: 60 });
  if (claim === null) {
    showError("Nothing to claim: every message is claimed, delayed or gone.");
  } else if (claim) {
    for (const m of claim.messages) {
      state.claims.set(m.id, claim.claim_id);
    }
  }
  await Promise.all([refreshMessages(), refreshStats(queue)]);
}

async function deleteMessage(id, claimId) {
  const queue = state.selected;
  if (await call("DeleteMessage", queue, id, claimId ?? null) !== undefined) {
    state.claims.delete(id);
    await Promise.all([refreshMessages(), refreshStats(queue)]);
  }
}

async function releaseClaim(claimId) {
  const queue = state.selected;
  if (await call("ReleaseClaim", queue, claimId) !== undefined) {
    for (const [id, c] of state.claims) {
      if (c === claimId) {
        state.claims.delete(id);
      }
    }
    await Promise.all([refreshMessages(), refreshStats(queue)]);
  }
}

async function refreshSubscriptions() {
  const queue = state.selected;
  try {
    const page = await state.hub.invoke("ListSubscriptions", queue, null);
    if (queue !== state.selected) {
      return;
    }
    $("#subscriptions").replaceChildren(...page.subscriptions.map((s) => el("li", {},
      el("div", {}, s.subscriber),
      el("div", { class: "meta" }, `ttl ${s.ttl}s · age ${s.age}s · ${s.confirmed ? "confirmed" : "not confirmed"}`))));
    $("#no-subscriptions").hidden = page.subscriptions.length > 0;
  } catch (error) {
    $("#subscriptions").replaceChildren();
    $("#no-subscriptions").hidden = false;
    $("#no-subscriptions").textContent = `Subscriptions unavailable: ${describeError(error).text}`;
  }
}

function start() {
  const { project, clientId } = identity();
  $("#project").value = project;
  $("#client-id").value = clientId;
  $("#identity").addEventListener("submit", connect);
  $("#create-queue").addEventListener("submit", createQueue);
  $("#post-message").addEventListener("submit", postMessage);
  $("#claim").addEventListener("click", claimMessages);
  $("#refresh").addEventListener("click", () => selectQueue(state.selected));
  // Counts change through claims and deletes elsewhere too, which push doesn't announce.
  setInterval(() => { if (state.hub?.state === "Connected") { [...state.queues.keys()].forEach(refreshStats); } }, 10000);
  connect();
}

start();
