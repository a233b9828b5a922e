export * from "./ports/x-client.ts";
export * from "./errors.ts";
