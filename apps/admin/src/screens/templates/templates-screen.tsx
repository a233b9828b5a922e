import { PageHeader } from "../../lib/ui.tsx";

export function TemplatesScreen() {
  return <PageHeader title="Templates" />;
}
