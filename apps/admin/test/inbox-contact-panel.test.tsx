import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MantineProvider } from "@mantine/core";
import { createMemoryHistory, createRootRoute, createRouter, RouterProvider } from "@tanstack/react-router";
import type { RouterOutputs } from "../src/lib/trpc.ts";
import { ContactPanelView } from "../src/screens/inbox/contact-panel.tsx";

type ContactDetails = RouterOutputs["contacts"]["get"];

const CONTACT: ContactDetails = {
  id: "6f0c2f1e-8d8e-4a53-9d7e-7b1d8f0a1c01",
  accountId: "6f0c2f1e-8d8e-4a53-9d7e-7b1d8f0a1c02",
  twitterUserId: "987654321",
  username: "customer_john",
  displayName: "John Doe",
  profileImageUrl: null,
  tags: ["vip", "customer"],
  attributes: { tier: "gold", orders: 3 },
  source: "inbound_message",
  optedOut: false,
  conversationCount: 2,
  firstInteractionAt: "2026-01-18T09:00:00.000Z",
  lastInteractionAt: "2026-01-19T09:00:00.000Z",
  consentAt: "2026-01-18T09:00:00.000Z",
  optedOutAt: null,
  engagement: { messagesSent: 4, messagesReceived: 6, averageResponseTime: "5m 30s" },
};

async function renderPanel(contact: ContactDetails, canEdit: boolean) {
  const onAddTags = vi.fn<(tags: string[]) => Promise<unknown>>().mockResolvedValue(undefined);
  const onRemoveTag = vi.fn<(tag: string) => Promise<unknown>>().mockResolvedValue(undefined);
  // the panel links to the contacts screen: a router to render links in
  const rootRoute = createRootRoute({ component: () => <ContactPanelView contact={contact} canEdit={canEdit} onAddTags={onAddTags} onRemoveTag={onRemoveTag} /> });
  const router = createRouter({ routeTree: rootRoute, history: createMemoryHistory({ initialEntries: ["/inbox"] }) });
  render(
    <MantineProvider>
      <RouterProvider router={router} />
    </MantineProvider>,
  );
  await screen.findByRole("region", { name: "Contact" });
  return { onAddTags, onRemoveTag };
}

describe("the inbox's contact panel", () => {
  it("shows who the customer is, their attributes, consent and subscription", async () => {
    await renderPanel(CONTACT, true);
    const panel = screen.getByRole("region", { name: "Contact" });
    expect(within(panel).getByText("John Doe")).toBeInTheDocument();
    expect(within(panel).getByText("@customer_john")).toBeInTheDocument();
    expect(within(panel).getByText("Subscribed")).toBeInTheDocument();
    expect(within(panel).getByText(/Consent: wrote first on/)).toBeInTheDocument();
    expect(within(panel).getByText("tier")).toBeInTheDocument();
    expect(within(panel).getByText("gold")).toBeInTheDocument();
    expect(within(panel).getByText(/6 received · 4 sent · replies in 5m 30s on average/)).toBeInTheDocument();
    expect(within(panel).getByRole("link", { name: "Open in Contacts" })).toHaveAttribute("href", `/contacts?contact=${CONTACT.id}`);
  });

  it("says when the contact opted out and has not given consent", async () => {
    await renderPanel({ ...CONTACT, optedOut: true, optedOutAt: "2026-01-20T09:00:00.000Z", consentAt: null }, false);
    expect(screen.getByText("Opted out")).toBeInTheDocument();
    expect(screen.getByText(/agents can still reply by hand/)).toBeInTheDocument();
    expect(screen.getByText("Consent: has not written to the account yet")).toBeInTheDocument();
  });

  it("lets an agent add a tag (normalized) and remove one", async () => {
    const { onAddTags, onRemoveTag } = await renderPanel(CONTACT, true);
    const input = screen.getByRole("combobox", { name: "Tags" });
    await userEvent.type(input, "  Returning {enter}");
    expect(onAddTags).toHaveBeenCalledWith(["returning"]);
    await userEvent.click(input);
    await userEvent.keyboard("{Backspace}");
    expect(onRemoveTag).toHaveBeenCalledWith("customer");
  });

  it("shows a viewer the tags without any control to change them", async () => {
    await renderPanel(CONTACT, false);
    expect(screen.queryByRole("combobox", { name: "Tags" })).toBeNull();
    expect(screen.getByText("vip")).toBeInTheDocument();
    expect(screen.getByText("customer")).toBeInTheDocument();
    expect(screen.queryAllByRole("button")).toEqual([]);
  });
});
