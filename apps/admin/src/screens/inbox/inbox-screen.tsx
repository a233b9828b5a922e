import { PageHeader } from "../../lib/ui.tsx";

export function InboxScreen() {
  return <PageHeader title="Inbox" />;
}
