// For operators: the health report, and pools and flavors (admin role; they exist only with admin mode and pooling on,
// else the service's answer is shown in their place).
import { describeError } from "./hub";
import type { Json, JsonObject } from "./queues-hub";
import { act, state } from "./state";
import { $, button, el, numberOf, showNotice, valueOf } from "./view";

/** Runs a read for a panel: its result, or the service's words in the panel's note. */
async function read<T>(note: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    const result = await run();
    $(note).hidden = true;
    return result;
  } catch (error) {
    const { status, text } = describeError(error);
    $(note).hidden = false;
    $(note).textContent = status === 404 && note !== "#health-note"
      ? `Not available: pooling is off on this deployment (${text}).`
      : status === 403 ? `Needs the admin role (${text}).` : text;
    return undefined;
  }
}

function healthRows(report: JsonObject, prefix = ""): HTMLTableRowElement[] {
  const rows: HTMLTableRowElement[] = [];
  for (const [key, value] of Object.entries(report)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const o = value as JsonObject;
      if ("succeeded" in o) {
        rows.push(el("tr", { class: o.succeeded ? "ok" : "bad" }, el("th", { scope: "row" }, prefix + key),
          el("td", {}, o.succeeded ? "succeeded" : "failed"), el("td", { class: "num" }, typeof o.seconds === "number" ? `${o.seconds.toFixed(3)} s` : "")));
      } else {
        rows.push(...healthRows(o, `${prefix}${key} · `));
      }
    } else {
      rows.push(el("tr", { class: value === false ? "bad" : "ok" }, el("th", { scope: "row" }, prefix + key), el("td", {}, String(value)), el("td", {})));
    }
  }
  return rows;
}

async function checkHealth(): Promise<void> {
  const hub = state.hub;
  const report = hub && await read("#health-note", () => hub.invoke("Health"));
  $("#health-table tbody").replaceChildren(...(report ? healthRows(report) : []));
  if (report) {
    showNotice("Health report updated.");
  }
}

/** A pool's URI as shown: a connection string's password is the database's secret, not the page's. */
const withoutPassword = (uri: string): string => uri.replace(/(password=)[^;]*/gi, "$1•••").replace(/(:\/\/[^:/@]+:)[^@]*@/, "$1•••@");

export async function refreshPools(): Promise<void> {
  const hub = state.hub;
  const pools = hub && await read("#pools-note", () => hub.invoke("ListPools", { detailed: true, limit: 20 }));
  $("#pool-table tbody").replaceChildren(...(pools?.pools ?? []).map((p) => el("tr", { "data-pool": p.name },
    el("td", {}, p.name), el("td", { class: "uri" }, withoutPassword(p.uri)), el("td", { class: "num" }, p.weight), el("td", {}, p.flavor ?? "—"),
    el("td", {}, button("Delete", () => void remove("DeletePool", p.name), { kind: "danger", label: `Delete pool ${p.name}` })))));
  const flavors = hub && await read("#flavors-note", () => hub.invoke("ListFlavors", { detailed: true, limit: 20 }));
  $("#flavor-table tbody").replaceChildren(...(flavors?.flavors ?? []).map((f) => el("tr", { "data-flavor": f.name },
    el("td", {}, f.name), el("td", {}, (f.pool_list ?? []).join(", ")),
    el("td", {}, button("Delete", () => void remove("DeleteFlavor", f.name), { kind: "danger", label: `Delete flavor ${f.name}` })))));
}

async function remove(method: "DeletePool" | "DeleteFlavor", name: string): Promise<void> {
  if (await act(method, name)) {
    showNotice(`${method === "DeletePool" ? "Pool" : "Flavor"} ${name} deleted.`);
    await refreshPools();
  }
}

async function createPool(event: Event): Promise<void> {
  event.preventDefault();
  const name = valueOf("#pool-name");
  const document: Json = { uri: valueOf("#pool-uri"), weight: numberOf("#pool-weight") ?? 100 };
  if (valueOf("#pool-flavor")) {
    document.flavor = valueOf("#pool-flavor");
  }
  if (await act("CreatePool", name, document)) {
    showNotice(`Pool ${name} registered.`);
    $<HTMLFormElement>("#create-pool").reset();
    await refreshPools();
  }
}

async function createFlavor(event: Event): Promise<void> {
  event.preventDefault();
  const name = valueOf("#flavor-name");
  const pools = valueOf("#flavor-pools").split(",").map((p) => p.trim()).filter((p) => p);
  if (await act("CreateFlavor", name, { pool_list: pools })) {
    showNotice(`Flavor ${name} created.`);
    $<HTMLFormElement>("#create-flavor").reset();
    await refreshPools();
  }
}

export function startAdmin(): void {
  $("#check-health").addEventListener("click", () => void checkHealth());
  $("#create-pool").addEventListener("submit", (e) => void createPool(e));
  $("#create-flavor").addEventListener("submit", (e) => void createFlavor(e));
}
