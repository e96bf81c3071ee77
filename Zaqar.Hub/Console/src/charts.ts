// Live charts (issue 15 item 6): messages in and out per second and queue depth over the last minutes, drawn as inline
// SVG from the samples the hub pushes (StreamStats), never polled.
import type { ISubscription } from "@microsoft/signalr";
import { describeError } from "./hub";
import type { StatsSampleView } from "./queues-hub";
import { state } from "./state";
import { $, el } from "./view";

const SVG = "http://www.w3.org/2000/svg";
const INTERVAL_SECONDS = 2;
const KEPT = 150; // 5 minutes of samples.
const WIDTH = 600;
const HEIGHT = 160;
const COLORS = ["#0b5cad", "#b42318", "#1a7f37", "#9a6700", "#6e40c9", "#0e7490"];

let samples: StatsSampleView[] = [];
let subscription: ISubscription<StatsSampleView> | null = null;
let followed = "";

interface Series {
  name: string;
  values: number[];
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  return node;
}

/** One chart: a line per series over the kept samples, the scale's top, and a legend with the latest values. */
function draw(figure: string, unit: string, series: Series[]): void {
  const top = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) => WIDTH - (KEPT - 1 - i) * (WIDTH / (KEPT - 1));
  const y = (v: number) => HEIGHT - 4 - (v / top) * (HEIGHT - 20);
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: "none", "aria-hidden": "true", class: "chart" });
  chart.append(svg("line", { x1: 0, y1: y(0), x2: WIDTH, y2: y(0), class: "axis" }));
  const scale = svg("text", { x: 4, y: 12, class: "scale" });
  scale.textContent = `${Math.round(top * 100) / 100} ${unit}`;
  chart.append(scale);
  series.forEach((s, index) => {
    const offset = KEPT - s.values.length;
    const points = s.values.map((v, i) => `${x(offset + i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    chart.append(svg("polyline", { points, fill: "none", stroke: COLORS[index % COLORS.length], "stroke-width": 2, "vector-effect": "non-scaling-stroke" }));
  });
  const legend = el("ul", { class: "legend" }, ...series.map((s, index) => {
    const swatch = svg("svg", { width: 12, height: 12, class: "swatch", "aria-hidden": "true" });
    swatch.append(svg("rect", { width: 12, height: 12, rx: 2, fill: COLORS[index % COLORS.length] }));
    return el("li", { "data-series": s.name }, swatch, `${s.name}: ${s.values.at(-1) ?? 0} ${unit}`);
  }));
  const box = $(figure);
  const summary = series.map((s) => `${s.name} ${s.values.at(-1) ?? 0}`).join(", ");
  box.querySelector(".plot")?.replaceChildren(chart, legend);
  box.setAttribute("aria-label", `${box.dataset.title ?? ""}, last ${KEPT * INTERVAL_SECONDS / 60} minutes; now ${summary || "no data"}`);
}

function render(): void {
  const rated = samples.filter((s) => s.rates);
  $("#rates-note").hidden = rated.length > 0 || samples.length === 0;
  draw("#rates-chart", "/s", rated.length === 0 ? [] : [
    { name: "in (posted)", values: rated.map((s) => s.rates?.posted ?? 0) },
    { name: "out (deleted)", values: rated.map((s) => s.rates?.deleted ?? 0) },
    { name: "claimed", values: rated.map((s) => s.rates?.claimed ?? 0) },
  ]);
  const names = [...new Set(samples.flatMap((s) => s.queues.map((q) => q.name)))].slice(0, COLORS.length);
  draw("#depth-chart", "messages", names.map((name) => ({
    name,
    values: samples.map((s) => s.queues.find((q) => q.name === name)?.total ?? 0),
  })));
}

/** Streams samples for these queues (the first 20), restarting the stream when the set changes or after it ended. */
export function followQueues(names: string[]): void {
  const key = names.slice(0, 20).join("\n");
  if (!state.hub || (key === followed && subscription)) {
    return;
  }
  subscription?.dispose();
  followed = key;
  $("#charts-status").textContent = `(a sample every ${INTERVAL_SECONDS} s)`;
  subscription = state.hub.stream("StreamStats", { queues: names.slice(0, 20), interval: INTERVAL_SECONDS }).subscribe({
    next: (sample) => {
      samples = [...samples, sample].slice(-KEPT);
      render();
    },
    error: (error) => {
      subscription = null;
      $("#charts-status").textContent = `Stopped: ${describeError(error).text}`;
    },
    complete: () => { subscription = null; },
  });
}

export function resetCharts(): void {
  subscription?.dispose();
  subscription = null;
  followed = "";
  samples = [];
  render();
}
