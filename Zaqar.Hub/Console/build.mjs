// Builds the console into dist/: one bundled, minified script (our modules + the SignalR JS client with its
// MessagePack protocol), the page and the stylesheet. Run by the Zaqar.Hub build (see Zaqar.Hub.csproj).
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

await mkdir("dist", { recursive: true });
await build({
  entryPoints: ["src/app.js"],
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
