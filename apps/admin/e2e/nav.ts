/** The navigation's links, as CONTRACT.md "Admin app" names them. */
export const NAV_LABELS = ["Inbox", "Contacts", "Campaigns", "Templates", "Segments", "Flows", "AI", "Analytics", "Accounts", "Team", "Settings"] as const;
