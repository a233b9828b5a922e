import { PageHeader } from "../../lib/ui.tsx";

export function ContactsScreen() {
  return <PageHeader title="Contacts" />;
}
