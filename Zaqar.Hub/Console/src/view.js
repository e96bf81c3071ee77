// Rendering helpers: build DOM nodes from data, never HTML strings (bodies are user data).

export const $ = (selector) => document.querySelector(selector);

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") {
      node.className = value;
    } else if (key.startsWith("on")) {
      node.addEventListener(key.slice(2), value);
    } else if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(key, value === true ? "" : value);
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

export function showError(text) {
  const box = $("#error");
  box.textContent = text;
  box.hidden = !text;
}

export function setConnection(state, detail) {
  const badge = $("#connection");
  badge.dataset.state = state;
  const via = detail.transport ? ` via ${detail.transport}` : "";
  const again = detail.reconnects ? ` (reconnects: ${detail.reconnects})` : "";
  badge.dataset.transport = detail.transport ?? "";
  badge.textContent = {
    connecting: "Connecting…",
    connected: `Connected${via}${again}`,
    reconnecting: `Reconnecting…${again}`,
    disconnected: `Disconnected${again}`,
  }[state];
}

/** A message as a list item; claimId marks it claimed by this page. */
export function messageItem(message, claimId, actions) {
  const claimed = claimId ?? claimOf(message);
  return el("li", { class: claimed ? "claimed" : "", "data-id": message.id },
    el("pre", {}, JSON.stringify(message.body, null, 1)),
    el("div", { class: "meta" }, `id ${message.id} · ttl ${message.ttl}s · age ${message.age}s`, claimed ? ` · claimed (${claimed})` : ""),
    el("div", { class: "inline" }, ...actions(message, claimed)));
}

export function claimOf(message) {
  const match = /[?&]claim_id=([0-9a-f-]+)/.exec(message.href ?? "");
  return match ? match[1] : null;
}
