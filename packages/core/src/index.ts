// Browser-safe entry: the contract (zod schemas of every endpoint), error codes and pure domain.
export * from "./errors.ts";
export * from "./roles.ts";
export * from "./ports/x-client.ts";
export * from "./contract/common.ts";
export * from "./contract/accounts.ts";
export * from "./contract/messages.ts";
export * from "./contract/conversations.ts";
export * from "./domain/business-hours.ts";
export * from "./domain/opt-out.ts";
