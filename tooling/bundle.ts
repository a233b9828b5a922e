// Bundles an app entry with our workspace packages inlined and every npm dependency left external,
// so `pnpm start` runs plain built JavaScript (no tsx, no watchers).
import { build } from "esbuild";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { isBuiltin } from "node:module";

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

const appManifest = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as { name: string; dependencies?: Record<string, string> };
const result = await build({
  metafile: true,
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

// The bundle imports its npm packages at run time from the app's own node_modules, and pnpm only
// links an app's direct dependencies there: every package the bundle imports must be one.
const packageOf = (specifier: string) => (specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? specifier));
const imported = new Set<string>();
for (const output of Object.values(result.metafile.outputs)) {
  for (const i of output.imports) if (i.external && !i.path.startsWith("node:")) imported.add(packageOf(i.path));
}
const missing = [...imported].filter((name) => !(name in (appManifest.dependencies ?? {})) && !isBuiltin(name));
if (missing.length) {
  throw new Error(`${appManifest.name}: the bundle imports ${missing.join(", ")}, which must be dependencies of the app (pnpm links only direct dependencies)`);
}
