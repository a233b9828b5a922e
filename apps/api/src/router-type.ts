// Type-only entry for clients (the admin): the router's type, never its code.
export type { AppRouter, RouterInputs, RouterOutputs } from "./router.ts";
