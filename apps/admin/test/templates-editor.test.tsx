import { useState } from "react";
import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MantineProvider } from "@mantine/core";
import { TemplateForm, draftIssues, emptyDraft, insertVariable, type TemplateDraft } from "../src/screens/templates/template-form.tsx";
import { TemplatePreviewView } from "../src/screens/templates/template-preview.tsx";

// Mantine's autosizing textarea listens to document.fonts, which jsdom does not have
if (!("fonts" in document)) Object.defineProperty(document, "fonts", { value: new EventTarget() });

function Harness({ initial, showIssues = false }: { initial: TemplateDraft; showIssues?: boolean }) {
  const [draft, setDraft] = useState(initial);
  return <TemplateForm draft={draft} onChange={setDraft} issues={showIssues ? draftIssues(draft) : {}} attributeKeys={["plan", "not a name"]} />;
}
const renderForm = (initial: TemplateDraft = emptyDraft(), showIssues = false) =>
  render(
    <MantineProvider>
      <Harness initial={initial} showIssues={showIssues} />
    </MantineProvider>,
  );

describe("the template editor", () => {
  it("inserts a variable at the cursor, from the built-ins and the contacts' attributes", async () => {
    renderForm({ ...emptyDraft(), content: "Hi , welcome" });
    const message = screen.getByRole<HTMLTextAreaElement>("textbox", { name: "Message" });
    message.setSelectionRange(3, 3);
    await userEvent.click(screen.getByRole("button", { name: "Insert {{first_name}}" }));
    expect(message.value).toBe("Hi {{first_name}}, welcome");
    expect(screen.getByText(/Uses: first_name\./)).toBeInTheDocument();
    // the caret lands after the inserted variable (on the next frame), where typing goes on
    await waitFor(() => expect(message.selectionStart).toBe("Hi {{first_name}}".length));
    message.setSelectionRange(message.value.length, message.value.length);
    await userEvent.click(screen.getByRole("button", { name: "Insert {{plan}}" }));
    expect(message.value).toBe("Hi {{first_name}}, welcome{{plan}}");
    // an attribute key that is not a variable name is not offered
    expect(screen.queryByRole("button", { name: "Insert {{not a name}}" })).toBeNull();
    expect(screen.getByText("34 / 10,000 characters")).toBeInTheDocument();
  });

  it("replaces the selection when inserting", () => {
    expect(insertVariable("Hello NAME!", "name", 6, 10)).toEqual({ content: "Hello {{name}}!", caret: 14 });
    expect(insertVariable("Hi", "username", null, null)).toEqual({ content: "Hi{{username}}", caret: 14 });
  });

  it("edits quick-reply options and card buttons by type, checked by the contract", async () => {
    renderForm({ ...emptyDraft(), name: "Sizes", content: "Which size?" }, true);
    expect(screen.queryByRole("button", { name: "Add option" })).toBeNull();
    await userEvent.click(screen.getByText("Quick reply"));
    await userEvent.click(screen.getByRole("button", { name: "Add option" }));
    await userEvent.click(screen.getByRole("button", { name: "Add option" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Option 1 label" }), "M");
    await userEvent.type(screen.getByRole("textbox", { name: "Option 2 label" }), "M");
    expect(screen.getByText(/duplicate label "M"/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Remove option 2" }));
    expect(screen.queryByText(/duplicate label/)).toBeNull();

    await userEvent.click(screen.getByText("Card"));
    expect(screen.queryByRole("textbox", { name: "Option 1 label" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Add button" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Button 1 label" }), "Shop");
    await userEvent.type(screen.getByRole("textbox", { name: "Button 1 URL" }), "ftp://shop.test");
    expect(screen.getByText("url must be an http(s) URL")).toBeInTheDocument();
    for (let i = 0; i < 2; i++) await userEvent.click(screen.getByRole("button", { name: "Add button" }));
    expect(screen.queryByRole("button", { name: "Add button" })).toBeNull();
  });

  it("asks for a name and content before saving", () => {
    expect(draftIssues(emptyDraft())).toMatchObject({ name: "name is required", content: "content is required" });
    expect(draftIssues({ ...emptyDraft(), name: "Hi", content: "Hi {{first_name}}" })).toEqual({});
  });

  it("previews the rendered DM with the options under it", () => {
    render(
      <MantineProvider>
        <TemplatePreviewView template={{ type: "quick_reply", quickReplies: [{ label: "Small" }, { label: "Large" }], buttons: null }} preview={{ rendered: "Hi Alice, which size?" }} error={null} loading={false} stale />
      </MantineProvider>,
    );
    expect(screen.getByTestId("template-preview-message")).toHaveTextContent("Hi Alice, which size?");
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Small", "Large"]);
    expect(screen.getByText(/save to see your changes/)).toBeInTheDocument();
  });

  it("says why a template cannot be rendered for the contact", () => {
    render(
      <MantineProvider>
        <TemplatePreviewView template={{ type: "text", quickReplies: null, buttons: null }} preview={undefined} error="missing variables: plan" loading={false} stale={false} />
      </MantineProvider>,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("missing variables: plan");
  });
});
