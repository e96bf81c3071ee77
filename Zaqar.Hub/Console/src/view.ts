// Rendering helpers: build DOM nodes from data, never HTML strings (bodies, names and metadata are user data).
import type { ConnectionDetail, ConnectionState } from "./hub";

/** The element for a selector the page is known to have (a missing one is a bug of the page, thrown at once). */
export function $<T extends HTMLElement = HTMLElement>(selector: string): T {
  const node = document.querySelector<T>(selector);
  if (!node) {
    throw new Error(`The page has no ${selector}`);
  }
  return node;
}

/** The trimmed value of an input, select or textarea. */
export const valueOf = (selector: string): string => $<HTMLInputElement>(selector).value.trim();

/** A number from an input, or undefined when it is empty. */
export function numberOf(selector: string): number | undefined {
  const text = valueOf(selector);
  return text === "" ? undefined : Number(text);
}

type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class" && typeof value === "string") {
      node.className = value;
    } else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (value !== undefined && value !== null && value !== false && typeof value !== "function") {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

/** A button with its accessible name (the label when it differs from the text). */
export function button(text: string, onclick: () => void, options: { label?: string; kind?: "danger" | "secondary" } = {}): HTMLButtonElement {
  return el("button", { type: "button", class: options.kind ?? "", "aria-label": options.label, onclick }, text);
}

export function showError(text: string): void {
  const box = $("#error");
  box.textContent = text;
  box.hidden = !text;
}

/** A short confirmation in the status line (polite: screen readers say it when idle). */
export function showNotice(text: string): void {
  $("#notice").textContent = text;
}

export function setConnection(state: ConnectionState, detail: ConnectionDetail): void {
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

/** Parses a JSON field, showing the error and focusing the field when it is not JSON. */
export function parseJson(selector: string, what: string): { ok: true; value: unknown } | { ok: false } {
  const text = valueOf(selector);
  try {
    return { ok: true, value: text === "" ? null : JSON.parse(text) };
  } catch (error) {
    showError(`${what} is not valid JSON: ${error instanceof Error ? error.message : error}`);
    $(selector).focus();
    return { ok: false };
  }
}

/** The claim id in a message's href, if it is claimed. */
export function claimOf(href: string | undefined): string | null {
  const match = /[?&]claim_id=([0-9a-f-]+)/.exec(href ?? "");
  return match ? match[1] : null;
}
