#!/usr/bin/env node
/**
 * Bundles the command line (esbuild) so that starting it reads a few files instead of a hundred
 * modules: dist/cli/main.js (the `bin` entry) holds the entry point and what every command shares;
 * each command's code is a chunk beside it, loaded only when that command runs (run.ts imports
 * commands dynamically). tsc still builds dist/** for the library API and the type check.
 *
 * - Chunks sit in dist/cli/, two levels below the package root like dist/<part>/*.js, so a module that
 *   locates package files relative to its own URL (`../web/static/`, copied into dist/ below) finds them either way.
 * - Small pure-JS packages the start-up and the audit need are bundled; every other dependency stays
 *   external (native better-sqlite3, pg, Fastify and its plugins, …) and is loaded by Node from
 *   node_modules when a chunk that uses it runs.
 */
import { cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Bundled: loaded at start-up or by probe/audit, pure JavaScript, no files read at run time. */
const bundled = new Set([
  "commander",
  "picocolors",
  "zod",
  "kysely",
  "dns-packet",
  "parse5",
  "htmlparser2",
  "fast-xml-parser",
]);
const external = Object.keys(pkg.dependencies ?? {})
  .filter((name) => !bundled.has(name))
  .flatMap((name) => [name, `${name}/*`]);

// The chunks of an earlier build: their hashed names change with their content, so old ones would pile
// up beside the new (tsc's own dist/cli/*.js stay: they are the library's modules).
for (const name of readdirSync(join(root, "dist/cli"), { withFileTypes: true }))
  if (name.isFile() && /^chunk-[A-Z0-9]+\.js(\.map)?$/.test(name.name))
    rmSync(join(root, "dist/cli", name.name));

await build({
  absWorkingDir: root,
  // The worker thread of a two-thread log summary (src/indicators/log/parallel-summary.ts) finds
  // its module beside the chunk that starts it: ./log-summary-worker.js.
  entryPoints: { main: "src/cli/main.ts", "log-summary-worker": "src/indicators/log/log-summary-worker.ts" },
  outdir: "dist/cli",
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: [...external, "pg-native"],
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
  // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __mailcharterRequire } from "node:module"; const require = __mailcharterRequire(import.meta.url);',
  },
});

// The service's static files (stylesheet, page scripts) ship inside dist/, since the package's `files`
// is dist only: dist/web/server.js and the chunks in dist/cli/ both find them at ../web/static/.
rmSync(join(root, "dist/web/static"), { recursive: true, force: true });
cpSync(join(root, "src/web/static"), join(root, "dist/web/static"), { recursive: true });
