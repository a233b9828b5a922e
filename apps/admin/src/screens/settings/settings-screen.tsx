import { PageHeader } from "../../lib/ui.tsx";

export function SettingsScreen() {
  return <PageHeader title="Settings" />;
}
