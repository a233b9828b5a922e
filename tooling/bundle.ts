// Bundles an app entry with our workspace packages inlined and every npm dependency left external,
// so `pnpm start` runs plain built JavaScript (no tsx, no watchers).
import { build } from "esbuild";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) throw new Error("usage: bundle.ts <entry> <outfile>");

const root = join(import.meta.dirname, "..");
const manifests = ["apps", "packages"].flatMap((dir) =>
  readdirSync(join(root, dir)).map((name) => join(root, dir, name, "package.json")).filter(existsSync),
);
const external = new Set<string>();
for (const file of manifests) {
  const pkg = JSON.parse(readFileSync(file, "utf8")) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (!dep.startsWith("@mkt-x/")) external.add(dep).add(`${dep}/*`);
  }
}

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: [...external],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
