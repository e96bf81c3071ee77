// Builds the console into dist/: type-checks the sources against the hub's definitions (src/queues-hub.d.ts, generated
// from the hub class: issue 15 item 4), so a type error fails the build; then one bundled, minified script (our modules
// + the SignalR JS client with its MessagePack protocol), the page and the stylesheet. Run by the Zaqar.Hub build (see
// Zaqar.Hub.csproj).
import { spawnSync } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { build } from "esbuild";

const check = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."], { stdio: "inherit" });
if (check.status !== 0) {
  console.error("The console does not type-check (see above): nothing was built.");
  process.exit(check.status ?? 1);
}

await mkdir("dist", { recursive: true });
await build({
  entryPoints: ["src/app.ts"],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: ["es2020"],
  outfile: "dist/app.js",
  logLevel: "warning",
});
await copyFile("src/index.html", "dist/index.html");
await copyFile("src/app.css", "dist/app.css");
