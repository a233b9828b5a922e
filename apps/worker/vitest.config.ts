import { packageConfig } from "../../tooling/vitest/config.ts";

export default packageConfig({ database: true });
