// One lint setup for the whole workspace. Besides the usual checks it keeps the layering of
// ARCHITECTURE.md: packages never import apps, the admin never imports server code.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

const appImports = { group: ["@mkt-x/api", "@mkt-x/api/*", "@mkt-x/worker", "@mkt-x/worker/*", "@mkt-x/admin", "@mkt-x/admin/*", "**/apps/**"], message: "packages never import apps" };

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/generated/**", "**/.data/**", "**/.turbo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["packages/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [appImports] }] },
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
    // the browser tests and configs run in Node against the whole stack
    files: ["apps/admin/e2e/**/*.ts", "apps/admin/*.config.ts"],
    languageOptions: { globals: { ...globals.node } },
    rules: { "no-restricted-imports": "off" },
  },
);
