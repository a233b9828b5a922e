// One lint setup for the whole workspace. Besides the usual checks it keeps the layering of
// ARCHITECTURE.md: packages never import apps, the admin never imports server code.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

const appImports = { group: ["@mkt-x/api", "@mkt-x/api/*", "@mkt-x/worker", "@mkt-x/worker/*", "@mkt-x/admin", "@mkt-x/admin/*", "**/apps/**"], message: "packages never import apps" };

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/generated/**", "**/.data/**", "**/.turbo/**"] },
  js.configs.recommended,
  // type-aware: the rules that need the checker (floating promises, awaiting non-promises, any leaking out)
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { globals: { ...globals.node }, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // fastify plugins and handlers are async by contract (a plugin without it is handed a `done`
      // callback to call), so an async function without await is the convention there, not a slip
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // the config files themselves are plain JavaScript outside any project
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // tests and benchmarks read HTTP answers and SQL rows as JSON: the no-unsafe-* rules would ask
    // a cast on every line that reads a body; the checker's other rules still apply
    files: ["**/test/**/*.ts", "**/bench/**/*.ts", "**/e2e/**/*.ts", "**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
    },
  },
  {
    files: ["packages/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [appImports] }] },
  },
  {
    // configuration is read in one place per process: each app's env.ts (core's config.ts loads .env
    // for them); everything else is handed what it needs
    files: ["apps/api/src/**/*.ts", "apps/worker/src/**/*.ts", "packages/core/src/**/*.ts"],
    ignores: ["apps/*/src/env.ts", "packages/core/src/server/config.ts"],
    rules: { "no-restricted-properties": ["error", { object: "process", property: "env", message: "read configuration in the app's env.ts and pass it on" }] },
  },
  {
    files: ["packages/twitter/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [appImports, { group: ["@mkt-x/db", "@mkt-x/db/*", "@mkt-x/core/server"], message: "twitter uses core types only" }] }] },
  },
  {
    files: ["packages/db/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["@mkt-x/*"], message: "db imports nothing of ours" }] }] },
  },
  {
    files: ["apps/admin/**/*.ts", "apps/admin/**/*.tsx"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["@mkt-x/db", "@mkt-x/db/*", "@mkt-x/twitter", "@mkt-x/twitter/*", "@mkt-x/core/server", "@mkt-x/worker", "@mkt-x/worker/*", "node:*", "**/apps/api/**"], message: "the admin is browser code: core's contract entry only" },
        { group: ["@mkt-x/api", "@mkt-x/api/*"], allowTypeImports: true, message: "the admin may import the API's router type only" },
      ] }],
    },
  },
  {
    // TanStack Router's redirects are thrown by design (beforeLoad: throw redirect(...))
    files: ["apps/admin/src/app/**/*.tsx"],
    rules: { "@typescript-eslint/only-throw-error": ["error", { allow: [{ from: "package", package: "@tanstack/router-core", name: "Redirect" }] }] },
  },
  {
    // the browser tests and configs run in Node against the whole stack
    files: ["apps/admin/e2e/**/*.ts", "apps/admin/*.config.ts"],
    languageOptions: { globals: { ...globals.node } },
    rules: { "no-restricted-imports": "off" },
  },
);
