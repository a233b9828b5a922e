// What the global setup provides to test files (vitest's inject()).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    dbTemplate: { adminUrl: string; template: string };
  }
}
