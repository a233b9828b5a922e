import { PageHeader } from "../../lib/ui.tsx";

export function AnalyticsScreen() {
  return <PageHeader title="Analytics" />;
}
