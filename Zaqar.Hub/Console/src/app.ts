// The ZaqarHub console: sign in as the deployment authenticates, then the project's queues with live counts and consumer
// counts, a queue's messages arriving live by push, its metadata, subscriptions and pre-signed URLs, live charts, topics,
// and for operators the health report, pools and flavors. One hub connection (MessagePack).
import { describeError, openHub, type AuthMode, type SignIn } from "./hub";
import { state } from "./state";
import { $, setConnection, showError, showNotice, valueOf } from "./view";
import { closeQueue, onPresence, refreshQueues, refreshStats, selectQueue, startQueues } from "./queues";
import { onPushed, startMessages } from "./messages";
import { startMetadata } from "./metadata";
import { startSubscriptions } from "./subscriptions";
import { startShare } from "./share";
import { resetCharts } from "./charts";
import { refreshTopics, startTopics } from "./topics";
import { refreshPools, startAdmin } from "./admin";

const MODES: readonly AuthMode[] = ["project", "jwt", "keystone"];

/** The sign-in the page starts with: the address's parameters, else the last one used (a token only for this tab). */
function initialSignIn(): SignIn {
  const params = new URLSearchParams(location.search);
  const remembered = (key: string) => params.get(key) ?? localStorage.getItem(`zaqar.${key}`);
  const mode = remembered("auth") as AuthMode | null;
  let clientId = remembered("client_id");
  if (!clientId) {
    clientId = crypto.randomUUID();
    localStorage.setItem("zaqar.client_id", clientId);
  }
  return {
    mode: mode && MODES.includes(mode) ? mode : "project",
    project: remembered("project") ?? "demo",
    clientId,
    roles: remembered("roles") ?? "",
    token: sessionStorage.getItem("zaqar.token") ?? "",
  };
}

/** Shows the fields the chosen way of signing in uses. */
function showModeFields(): void {
  const mode = valueOf("#auth-mode") as AuthMode;
  $("#roles-field").hidden = mode !== "project";
  $("#token-field").hidden = mode === "project";
  $<HTMLInputElement>("#token").required = mode !== "project";
  $<HTMLInputElement>("#project").required = mode === "project";
}

function readSignIn(): SignIn {
  const signIn: SignIn = {
    mode: valueOf("#auth-mode") as AuthMode,
    project: valueOf("#project"),
    clientId: valueOf("#client-id"),
    roles: valueOf("#roles"),
    token: valueOf("#token"),
  };
  localStorage.setItem("zaqar.auth", signIn.mode);
  localStorage.setItem("zaqar.project", signIn.project);
  localStorage.setItem("zaqar.client_id", signIn.clientId);
  localStorage.setItem("zaqar.roles", signIn.roles);
  sessionStorage.setItem("zaqar.token", signIn.token);
  return signIn;
}

async function connect(event?: Event): Promise<void> {
  event?.preventDefault();
  const signIn = readSignIn();
  await state.hub?.stop();
  state.hub = null;
  state.signIn = signIn;
  state.queues.clear();
  state.consumers.clear();
  state.lastSeen.clear();
  state.claims.clear();
  closeQueue();
  resetCharts();
  try {
    state.hub = await openHub(signIn, {
      onState: (s, detail) => {
        setConnection(s, detail);
        if (s === "connected" && detail.reconnects) {
          // Subscriptions and streams end with a connection: take them up again on the new one (refreshing the queues
          // restarts the stats stream, which ended with an error).
          void refreshQueues();
          if (state.selected) {
            void selectQueue(state.selected);
          }
        }
      },
      onMessages: onPushed,
      onPresence,
    });
    showError("");
    showNotice(`Signed in to project ${signIn.project || "(from the token)"}.`);
    await Promise.all([refreshQueues(), refreshTopics(), refreshPools()]);
  } catch (error) {
    setConnection("disconnected", {});
    showError(`Could not connect: ${describeError(error).text}`);
  }
}

function start(): void {
  const signIn = initialSignIn();
  $<HTMLSelectElement>("#auth-mode").value = signIn.mode;
  $<HTMLInputElement>("#project").value = signIn.project;
  $<HTMLInputElement>("#client-id").value = signIn.clientId;
  $<HTMLInputElement>("#roles").value = signIn.roles;
  $<HTMLInputElement>("#token").value = signIn.token;
  showModeFields();
  $("#auth-mode").addEventListener("change", showModeFields);
  $("#identity").addEventListener("submit", (e) => void connect(e));
  startQueues();
  startMessages();
  startMetadata();
  startSubscriptions();
  startShare();
  startTopics();
  startAdmin();
  $("#refresh-topics").addEventListener("click", () => void refreshTopics());
  $("#refresh-pools").addEventListener("click", () => void refreshPools());
  // Counts change through claims and deletes elsewhere too, which push doesn't announce.
  setInterval(() => { if (state.hub?.connected) { [...state.queues.keys()].forEach((q) => void refreshStats(q)); } }, 10000);
  if (signIn.mode === "project" || signIn.token) {
    void connect();
  }
}

start();
