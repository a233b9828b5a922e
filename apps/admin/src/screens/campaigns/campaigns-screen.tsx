import { PageHeader } from "../../lib/ui.tsx";

export function CampaignsScreen() {
  return <PageHeader title="Campaigns" />;
}
