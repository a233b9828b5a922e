import { PageHeader } from "../../lib/ui.tsx";

export function TeamScreen() {
  return <PageHeader title="Team" />;
}
