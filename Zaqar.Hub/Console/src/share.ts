// Pre-signed URLs (POST /v2/queues/{queue}/share): made over REST, the one operation the hub has no method for, with
// the same sign-in's headers; the answer is shown with the headers a holder sends.
import { restHeaders } from "./hub";
import { state } from "./state";
import { $, el, showError, showNotice } from "./view";

interface Shared {
  paths: string[];
  methods: string[];
  project: string;
  expires: string;
  signature: string;
}

async function share(event: Event): Promise<void> {
  event.preventDefault();
  const queue = state.selected;
  if (!queue || !state.signIn) {
    return;
  }
  const checked = (name: string) => [...document.querySelectorAll<HTMLInputElement>(`#share input[name=${name}]:checked`)].map((b) => b.value);
  const expires = $<HTMLInputElement>("#share-expires").value;
  const document_: Record<string, unknown> = { paths: checked("paths"), methods: checked("methods") };
  if (expires) {
    document_.expires = new Date(expires).toISOString().slice(0, 19);
  }
  const response = await fetch(`/v2/queues/${encodeURIComponent(queue)}/share`, {
    method: "POST",
    headers: { ...restHeaders(state.signIn), "Content-Type": "application/json" },
    body: JSON.stringify(document_),
  });
  const answer: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const e = answer as { title?: string; description?: string } | null;
    showError(e?.title ? `${e.title}${e.description ? `: ${e.description}` : ""}` : `Sharing failed (${response.status}).`);
    return;
  }
  showError("");
  const shared = answer as Shared;
  const headers = [
    `URL-Signature: ${shared.signature}`, `URL-Expires: ${shared.expires}`, `URL-Methods: ${shared.methods.join(",")}`,
    `URL-Paths: ${shared.paths.join(",")}`, `X-Project-ID: ${shared.project}`,
  ];
  $("#shared").replaceChildren(
    el("p", {}, `Valid until ${shared.expires} UTC for ${shared.methods.join(", ")} on:`),
    el("ul", {}, ...shared.paths.map((p) => el("li", {}, el("code", {}, p)))),
    el("label", { for: "shared-headers" }, "Headers to send"),
    el("textarea", { id: "shared-headers", readonly: true, rows: headers.length, spellcheck: "false" }, headers.join("\n")));
  showNotice(`Pre-signed URL for ${queue} created.`);
}

export function startShare(): void {
  $("#share").addEventListener("submit", (e) => void share(e));
}
