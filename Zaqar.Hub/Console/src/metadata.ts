// The open queue's metadata, viewed and edited with the reserved keys explained (as Horizon's zaqar-ui does), and purge.
import { act, call, state } from "./state";
import type { Json, JsonObject } from "./queues-hub";
import { $, el, parseJson, showError, showNotice } from "./view";
import { refreshMessages } from "./messages";
import { refreshStats } from "./queues";
import { refreshSubscriptions } from "./subscriptions";

type Kind = "seconds" | "bytes" | "count" | "queue" | "flag";

/** The keys Zaqar reads itself (zaqar-v2-api.md, queue metadata), what they are for, and how they are edited. */
export const RESERVED_KEYS: ReadonlyArray<{ key: string; kind: Kind; explains: string }> = [
  { key: "_default_message_ttl", kind: "seconds", explains: "Seconds a message lives when it is posted without a ttl." },
  { key: "_default_message_delay", kind: "seconds", explains: "Seconds a new message stays invisible when posted without a delay; non-zero makes a delayed queue." },
  { key: "_max_messages_post_size", kind: "bytes", explains: "Largest message post this queue accepts, in bytes (the service's own limit still applies)." },
  { key: "_dead_letter_queue", kind: "queue", explains: "Queue of this project that receives messages claimed more than the max claim count." },
  { key: "_max_claim_count", kind: "count", explains: "Claims a message gets before it moves to the dead-letter queue." },
  { key: "_dead_letter_queue_messages_ttl", kind: "seconds", explains: "Ttl given to messages moved to the dead-letter queue (else they keep theirs)." },
  { key: "_enable_encrypt_messages", kind: "flag", explains: "Encrypt message bodies at rest (AES-256)." },
];

const isReserved = (key: string): boolean => RESERVED_KEYS.some((r) => r.key === key);

let loaded: JsonObject = {};

export async function refreshMetadata(): Promise<void> {
  const queue = state.selected;
  const form = $("#metadata-form");
  if (form.dataset.queue !== queue) {
    // Another queue's fields must not be edited (or saved) as this one's while it loads.
    delete form.dataset.queue;
    $("#reserved-metadata tbody").replaceChildren();
    $<HTMLTextAreaElement>("#custom-metadata").value = "";
  }
  if (!queue) {
    return;
  }
  const document = await call("GetQueue", queue);
  if (!document || queue !== state.selected) {
    return;
  }
  loaded = document;
  const rows = RESERVED_KEYS.map(({ key, kind, explains }) => {
    const id = `meta-${key}`;
    const value = document[key];
    const input = kind === "flag"
      ? el("input", { id, type: "checkbox", checked: value === true, "aria-describedby": `${id}-why` })
      : el("input", {
        id, type: kind === "queue" ? "text" : "number", inputmode: kind === "queue" ? undefined : "numeric",
        value: value === null || value === undefined ? "" : String(value), "aria-describedby": `${id}-why`, autocomplete: "off",
      });
    return el("tr", {},
      el("th", { scope: "row" }, el("label", { for: id }, el("code", {}, key))),
      el("td", {}, input),
      el("td", { id: `${id}-why`, class: "why" }, explains));
  });
  $("#reserved-metadata tbody").replaceChildren(...rows);
  const custom = Object.fromEntries(Object.entries(document).filter(([key]) => !isReserved(key)));
  $<HTMLTextAreaElement>("#custom-metadata").value = JSON.stringify(custom, null, 1);
  form.dataset.queue = queue;
}

function reservedValue(key: string, kind: Kind): Json | undefined {
  const input = $<HTMLInputElement>(`#${CSS.escape(`meta-${key}`)}`);
  if (kind === "flag") {
    return input.checked;
  }
  const text = input.value.trim();
  if (text === "") {
    return undefined;
  }
  return kind === "queue" ? text : Number(text);
}

/** JSON-patch operations from what is loaded to what the form says; an emptied reserved key keeps the service's default. */
function changes(custom: JsonObject): { op: string; path: string; value?: Json }[] {
  const ops: { op: string; path: string; value?: Json }[] = [];
  const path = (key: string) => `/metadata/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
  for (const { key, kind } of RESERVED_KEYS) {
    const value = reservedValue(key, kind);
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(loaded[key] ?? (kind === "flag" ? false : null))) {
      ops.push({ op: "add", path: path(key), value });
    }
  }
  for (const [key, value] of Object.entries(custom)) {
    if (!isReserved(key) && JSON.stringify(value) !== JSON.stringify(loaded[key])) {
      ops.push({ op: "add", path: path(key), value });
    }
  }
  for (const key of Object.keys(loaded)) {
    if (!isReserved(key) && !(key in custom)) {
      ops.push({ op: "remove", path: path(key) });
    }
  }
  return ops;
}

async function saveMetadata(event: Event): Promise<void> {
  event.preventDefault();
  const queue = state.selected;
  if (!queue || $("#metadata-form").dataset.queue !== queue) {
    showError("The queue's metadata is still loading.");
    return;
  }
  const custom = parseJson("#custom-metadata", "The other metadata");
  if (!custom.ok) {
    return;
  }
  if (typeof custom.value !== "object" || custom.value === null || Array.isArray(custom.value)) {
    showError("The other metadata must be a JSON object.");
    return;
  }
  const ops = changes(custom.value as JsonObject);
  if (ops.length === 0) {
    showNotice("Metadata unchanged.");
    return;
  }
  if (await call("UpdateQueueMetadata", queue, ops) !== undefined) {
    showNotice(`Metadata of ${queue} saved.`);
    await refreshMetadata();
  }
}

async function purge(event: Event): Promise<void> {
  event.preventDefault();
  const queue = state.selected;
  const types = [...document.querySelectorAll<HTMLInputElement>("#purge input[type=checkbox]:checked")].map((box) => box.value);
  if (!queue) {
    return;
  }
  if (types.length === 0) {
    showError("Choose what to purge: messages, subscriptions or both.");
    return;
  }
  if (await act("PurgeQueue", queue, types)) {
    showNotice(`Purged the ${types.join(" and ")} of ${queue}.`);
    state.claims.clear();
    await Promise.all([refreshMessages(), refreshSubscriptions(), refreshStats(queue)]);
  }
}

export function startMetadata(): void {
  $("#metadata-form").addEventListener("submit", (e) => void saveMetadata(e));
  $("#purge").addEventListener("submit", (e) => void purge(e));
}
