import { PageHeader } from "../../lib/ui.tsx";

export function AccountsScreen() {
  return <PageHeader title="Accounts" />;
}
