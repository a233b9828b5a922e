import { PageHeader } from "../../lib/ui.tsx";

export function SegmentsScreen() {
  return <PageHeader title="Segments" />;
}
