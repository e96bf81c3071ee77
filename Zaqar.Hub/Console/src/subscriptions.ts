// The open queue's subscriptions (webhook and mailto): listed with their delivery status, created, edited, deleted.
import { act, call, state } from "./state";
import { describeError } from "./hub";
import type { Json, SubscriptionView } from "./queues-hub";
import { $, button, el, numberOf, parseJson, showNotice, valueOf } from "./view";

function deliveryText(s: SubscriptionView): string {
  const d = s.delivery;
  const last = d.last_error ? ` · last error ${d.last_error_at ?? ""}: ${d.last_error}` : "";
  const ok = d.last_delivered_at ? ` · last delivered ${d.last_delivered_at}` : "";
  return `delivered ${d.delivered} · failed ${d.failed} · pending ${d.pending}${ok}${last}`;
}

function subscriptionItem(s: SubscriptionView): HTMLLIElement {
  return el("li", { "data-subscription": s.id },
    el("div", { class: "subscriber" }, s.subscriber),
    el("div", { class: "meta" }, `ttl ${s.ttl}s · age ${s.age}s · ${s.confirmed ? "confirmed" : "not confirmed"} · options ${JSON.stringify(s.options)}`),
    el("div", { class: "meta delivery" }, deliveryText(s)),
    el("div", { class: "inline" },
      button("Edit", () => edit(s), { kind: "secondary", label: `Edit subscription ${s.subscriber}` }),
      button("Delete", () => void remove(s), { kind: "danger", label: `Delete subscription ${s.subscriber}` })));
}

export async function refreshSubscriptions(): Promise<void> {
  const queue = state.selected;
  if (!queue || !state.hub) {
    return;
  }
  try {
    const page = await state.hub.invoke("ListSubscriptions", queue, null);
    if (queue !== state.selected) {
      return;
    }
    $("#subscriptions").replaceChildren(...page.subscriptions.map(subscriptionItem));
    $("#no-subscriptions").textContent = "No subscriptions.";
    $("#no-subscriptions").hidden = page.subscriptions.length > 0;
  } catch (error) {
    $("#subscriptions").replaceChildren();
    $("#no-subscriptions").hidden = false;
    $("#no-subscriptions").textContent = `Subscriptions unavailable: ${describeError(error).text}`;
  }
}

/** Fills the form with a subscription to change it; saving then updates it instead of creating one. */
function edit(s: SubscriptionView): void {
  $<HTMLInputElement>("#subscription-id").value = s.id;
  $<HTMLInputElement>("#subscriber").value = s.subscriber;
  $<HTMLInputElement>("#subscription-ttl").value = String(s.ttl);
  $<HTMLTextAreaElement>("#subscription-options").value = JSON.stringify(s.options);
  $("#save-subscription").textContent = "Save subscription";
  $("#cancel-subscription").hidden = false;
  $("#subscriber").focus();
}

function resetForm(): void {
  $<HTMLFormElement>("#subscription-form").reset();
  $<HTMLInputElement>("#subscription-id").value = "";
  $("#save-subscription").textContent = "Subscribe";
  $("#cancel-subscription").hidden = true;
}

async function save(event: Event): Promise<void> {
  event.preventDefault();
  const queue = state.selected;
  const options = parseJson("#subscription-options", "The options");
  if (!queue || !options.ok) {
    return;
  }
  const args = { subscriber: valueOf("#subscriber"), ttl: numberOf("#subscription-ttl") ?? null, options: (options.value ?? {}) as Json };
  const id = valueOf("#subscription-id");
  const done = id ? await act("UpdateSubscription", queue, id, args) : await call("CreateSubscription", queue, args) !== undefined;
  if (done) {
    showNotice(id ? `Subscription ${args.subscriber} saved.` : `Subscribed ${args.subscriber}.`);
    resetForm();
    await refreshSubscriptions();
  }
}

async function remove(s: SubscriptionView): Promise<void> {
  const queue = state.selected;
  if (queue && await act("DeleteSubscription", queue, s.id)) {
    showNotice(`Subscription ${s.subscriber} deleted.`);
    await refreshSubscriptions();
  }
}

export function startSubscriptions(): void {
  $("#subscription-form").addEventListener("submit", (e) => void save(e));
  $("#cancel-subscription").addEventListener("click", resetForm);
}
