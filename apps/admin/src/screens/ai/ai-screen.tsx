import { PageHeader } from "../../lib/ui.tsx";

export function AiScreen() {
  return <PageHeader title="AI" />;
}
