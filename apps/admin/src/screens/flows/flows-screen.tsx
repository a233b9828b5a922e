import { PageHeader } from "../../lib/ui.tsx";

export function FlowsScreen() {
  return <PageHeader title="Flows" />;
}
