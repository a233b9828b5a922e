import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MantineProvider } from "@mantine/core";
import { Composer, type ComposerBody } from "../src/screens/inbox/composer.tsx";

// Mantine's autosize textarea listens to font loading, which jsdom does not have
if (!("fonts" in document)) Object.defineProperty(document, "fonts", { value: { addEventListener() {}, removeEventListener() {} } });

function renderComposer(blockedReason: string | null = null) {
  const onSend = vi.fn<(body: ComposerBody) => Promise<unknown>>().mockResolvedValue(undefined);
  render(
    <MantineProvider>
      <Composer onSend={onSend} blockedReason={blockedReason} />
    </MantineProvider>,
  );
  return onSend;
}

const reply = () => screen.getByLabelText("Reply");
const sendButton = () => screen.getByRole("button", { name: "Send" });

describe("the reply composer", () => {
  it("keeps Send disabled while the reply is blank, counts characters, and sends the text", async () => {
    const onSend = renderComposer();
    expect(sendButton()).toBeDisabled();
    expect(screen.getByText("0 / 10,000")).toBeInTheDocument();
    await userEvent.type(reply(), "   ");
    expect(sendButton()).toBeDisabled();
    await userEvent.clear(reply());
    await userEvent.type(reply(), "Your order ships today");
    expect(screen.getByText("22 / 10,000")).toBeInTheDocument();
    expect(sendButton()).toBeEnabled();
    await userEvent.click(sendButton());
    expect(onSend).toHaveBeenCalledWith({ content: "Your order ships today", type: "text" });
    // sent: the box empties for the next reply
    expect(await screen.findByText("0 / 10,000")).toBeInTheDocument();
    expect(reply()).toHaveValue("");
  });

  it("accepts exactly 10,000 characters and refuses one more, saying why", () => {
    renderComposer();
    fireEvent.change(reply(), { target: { value: "a".repeat(10_000) } });
    expect(screen.getByText("10,000 / 10,000")).toBeInTheDocument();
    expect(sendButton()).toBeEnabled();
    fireEvent.change(reply(), { target: { value: "a".repeat(10_001) } });
    expect(screen.getByText("10,001 / 10,000")).toBeInTheDocument();
    expect(sendButton()).toBeDisabled();
    expect(screen.getByText("X allows at most 10,000 characters")).toBeInTheDocument();
  });

  it("sends quick replies as options, and needs at least one", async () => {
    const onSend = renderComposer();
    await userEvent.type(reply(), "Which size?");
    await userEvent.click(screen.getByRole("radio", { name: "Quick replies" }));
    expect(sendButton()).toBeDisabled();
    expect(screen.getByText("Add at least one option")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Option 1"), "Small");
    await userEvent.click(screen.getByRole("button", { name: "Add option" }));
    await userEvent.type(screen.getByLabelText("Option 2"), "Large");
    expect(sendButton()).toBeEnabled();
    await userEvent.click(sendButton());
    expect(onSend).toHaveBeenCalledWith({ content: "Which size?", type: "quick_reply", quickReplies: [{ label: "Small" }, { label: "Large" }] });
  });

  it("refuses duplicate quick-reply labels as the contract does", async () => {
    renderComposer();
    await userEvent.type(reply(), "Pick one");
    await userEvent.click(screen.getByRole("radio", { name: "Quick replies" }));
    await userEvent.type(screen.getByLabelText("Option 1"), "Yes");
    await userEvent.click(screen.getByRole("button", { name: "Add option" }));
    await userEvent.type(screen.getByLabelText("Option 2"), "Yes");
    expect(sendButton()).toBeDisabled();
    expect(screen.getByText(/duplicate label "Yes"/)).toBeInTheDocument();
  });

  it("sends card buttons with http(s) URLs only", async () => {
    const onSend = renderComposer();
    await userEvent.type(reply(), "See the sale");
    await userEvent.click(screen.getByRole("radio", { name: "Card buttons" }));
    await userEvent.type(screen.getByLabelText("Button 1 label"), "Shop");
    await userEvent.type(screen.getByLabelText("Button 1 URL"), "javascript:alert(1)");
    expect(sendButton()).toBeDisabled();
    await userEvent.clear(screen.getByLabelText("Button 1 URL"));
    await userEvent.type(screen.getByLabelText("Button 1 URL"), "https://shop.test/sale");
    await userEvent.click(sendButton());
    expect(onSend).toHaveBeenCalledWith({ content: "See the sale", type: "card", buttons: [{ label: "Shop", url: "https://shop.test/sale" }] });
  });

  it("keeps what was typed and shows the API's refusal when the send fails", async () => {
    const onSend = renderComposer();
    onSend.mockRejectedValueOnce(new Error("account is not connected"));
    await userEvent.type(reply(), "Hello");
    await userEvent.click(sendButton());
    expect(await screen.findByRole("alert")).toHaveTextContent("account is not connected");
    expect(reply()).toHaveValue("Hello");
  });

  it("does not send while the account cannot (blocked), and says why", async () => {
    const onSend = renderComposer("@shop is revoked: reconnect it in Accounts to reply");
    await userEvent.type(reply(), "Hello");
    expect(sendButton()).toBeDisabled();
    expect(reply()).toHaveAttribute("placeholder", "@shop is revoked: reconnect it in Accounts to reply");
    fireEvent.keyDown(reply(), { key: "Enter", ctrlKey: true });
    expect(onSend).not.toHaveBeenCalled();
  });
});

describe("the composer of a mention conversation", () => {
  it("says Public reply, offers no quick replies or buttons, and counts as X weighs a post", async () => {
    const onSend = vi.fn<(body: ComposerBody) => Promise<unknown>>().mockResolvedValue(undefined);
    render(
      <MantineProvider>
        <Composer onSend={onSend} publicReply />
      </MantineProvider>,
    );
    const box = screen.getByLabelText("Public reply");
    expect(screen.queryByRole("radio", { name: "Quick replies" })).not.toBeInTheDocument();
    expect(screen.getByText("0 / 280")).toBeInTheDocument();
    // a link counts 23 however long, CJK characters 2
    fireEvent.change(box, { target: { value: `注文 https://example.com/${"x".repeat(100)}` } });
    expect(screen.getByText("28 / 280")).toBeInTheDocument();
    fireEvent.change(box, { target: { value: "中".repeat(141) } });
    expect(screen.getByText("282 / 280")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Post reply" })).toBeDisabled();
    fireEvent.change(box, { target: { value: "@jane it left today" } });
    await userEvent.click(screen.getByRole("button", { name: "Post reply" }));
    expect(onSend).toHaveBeenCalledWith({ content: "@jane it left today", type: "text" });
  });
});
