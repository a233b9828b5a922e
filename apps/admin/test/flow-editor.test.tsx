// The flow builder: the contract's problems are shown on the canvas nodes and in the step list, and
// every step can be chosen and edited from the keyboard alone.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MantineProvider } from "@mantine/core";
import { FlowEditor } from "../src/screens/flows/flow-editor.tsx";
import type { FlowDraft } from "../src/screens/flows/flow-model.ts";

// React Flow measures nodes and reads the viewport's transform: jsdom has neither
beforeAll(() => {
  class DOMMatrixReadOnlyStub {
    m22: number;
    constructor(transform?: string) {
      const scale = /scale\(([\d.]+)\)/.exec(transform ?? "")?.[1];
      this.m22 = scale ? Number(scale) : 1;
    }
  }
  vi.stubGlobal("DOMMatrixReadOnly", DOMMatrixReadOnlyStub);
  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: { configurable: true, get: () => 80 },
    offsetWidth: { configurable: true, get: () => 220 },
  });
});

const TEMPLATE = { id: "3f0b8c2e-1d4a-4f6b-9a7e-2c5d8e9f0a1b", name: "Welcome DM" };

function renderEditor(saved: FlowDraft, editable = true) {
  const onSave = vi.fn<(d: FlowDraft) => void>();
  render(
    <MantineProvider env="test">
      <FlowEditor saved={saved} templates={[TEMPLATE]} editable={editable} saving={false} onSave={onSave} />
    </MantineProvider>,
  );
  return onSave;
}

const canvasNode = (id: string) => {
  const node = document.querySelector<HTMLElement>(`.react-flow__node[data-id="${id}"]`);
  if (!node) throw new Error(`no canvas node ${id}`);
  return node;
};
const stepList = () => screen.getByRole("list", { name: "Steps" });

const draft: FlowDraft = {
  name: "Keyword reply",
  trigger: { type: "message_received", config: { keywords: ["promo"] } },
  nodes: [
    { id: "send_message_1", type: "send_message", config: { templateId: "", delay: 0 } },
    { id: "add_tag_1", type: "add_tag", config: { tag: "" } },
  ],
  connections: [{ fromNodeId: "send_message_1", toNodeId: "add_tag_1" }],
};

describe("the flow builder", () => {
  it("shows each step's problems on its canvas node and in the step list, and will not save them", async () => {
    const onSave = renderEditor(draft);
    expect(canvasNode("send_message_1")).toHaveTextContent("1 problem");
    expect(canvasNode("send_message_1")).toHaveTextContent("Template: choose a template");
    expect(canvasNode("add_tag_1")).toHaveTextContent("Tag: enter a tag");
    expect(canvasNode("__trigger__")).not.toHaveTextContent("problem");
    expect(within(stepList()).getByRole("button", { name: /^1\. Send message/ })).toHaveTextContent(/1 problem.*No template chosen/);
    expect(within(stepList()).getByRole("button", { name: /^2\. Add tag/ })).toHaveTextContent(/1 problem.*No tag chosen/);

    await userEvent.type(screen.getByLabelText("Flow name"), " v2");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("2 problems to fix before saving");
    expect(onSave).not.toHaveBeenCalled();
  });

  it("shows a graph problem on the node it is about: a step nothing leads to", () => {
    renderEditor({ ...draft, connections: [] });
    expect(canvasNode("add_tag_1")).toHaveTextContent("Nothing leads to this step");
    expect(canvasNode("send_message_1")).not.toHaveTextContent("Nothing leads");
  });

  it("edits every step from the keyboard: choose it in the list, fill its settings, connect, add, save", async () => {
    const user = userEvent.setup();
    const onSave = renderEditor(draft);

    // the first step, chosen with the keyboard
    within(stepList()).getByRole("button", { name: /^1\. Send message/ }).focus();
    await user.keyboard("{Enter}");
    const settings = screen.getByRole("region", { name: "Step settings" });
    expect(within(settings).getByRole("heading", { name: "Send message (send_message_1)" })).toBeInTheDocument();
    await user.click(within(settings).getByLabelText("Template", { selector: "input" }));
    await user.keyboard("Welc");
    await user.click(await screen.findByRole("option", { name: "Welcome DM" }));
    expect(canvasNode("send_message_1")).not.toHaveTextContent("problem");
    expect(canvasNode("send_message_1")).toHaveTextContent("Welcome DM");

    // the second step: its tag
    within(stepList()).getByRole("button", { name: /^2\. Add tag/ }).focus();
    await user.keyboard("{Enter}");
    await user.type(within(screen.getByRole("region", { name: "Step settings" })).getByRole("textbox", { name: "Tag" }), "promo-lead");
    expect(canvasNode("add_tag_1")).toHaveTextContent("promo-lead");
    expect(canvasNode("add_tag_1")).not.toHaveTextContent("problem");

    // a new step from the palette goes after the selected one, connected to it
    await user.click(screen.getByRole("button", { name: "Add End" }));
    expect(within(stepList()).getByRole("button", { name: /^3\. End/ })).toHaveAttribute("aria-current", "step");

    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave).toHaveBeenCalledTimes(1);
    expect(onSave.mock.calls[0]?.[0]).toEqual({
      name: "Keyword reply",
      trigger: { type: "message_received", config: { keywords: ["promo"] } },
      nodes: [
        { id: "send_message_1", type: "send_message", config: { templateId: TEMPLATE.id, delay: 0 } },
        { id: "add_tag_1", type: "add_tag", config: { tag: "promo-lead" } },
        { id: "end_1", type: "end", config: {} },
      ],
      connections: [
        { fromNodeId: "send_message_1", toNodeId: "add_tag_1" },
        { fromNodeId: "add_tag_1", toNodeId: "end_1" },
      ],
    });
  });

  it("reconnects a step with the keyboard through its Next step field", async () => {
    const user = userEvent.setup();
    const onSave = renderEditor({ ...draft, nodes: [{ id: "send_message_1", type: "send_message", config: { templateId: TEMPLATE.id, delay: 0 } }, { id: "add_tag_1", type: "add_tag", config: { tag: "x" } }], connections: [] });
    expect(canvasNode("add_tag_1")).toHaveTextContent("Nothing leads to this step");
    within(stepList()).getByRole("button", { name: /^1\. Send message/ }).focus();
    await user.keyboard("{Enter}");
    await user.click(within(screen.getByRole("region", { name: "Step settings" })).getByLabelText("Next step", { selector: "input" }));
    await user.click(await screen.findByRole("option", { name: "Add tag (add_tag_1)" }));
    expect(canvasNode("add_tag_1")).not.toHaveTextContent("problem");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave.mock.calls[0]?.[0].connections).toEqual([{ fromNodeId: "send_message_1", toNodeId: "add_tag_1" }]);
  });

  it("shows a viewer the flow without any write control", () => {
    renderEditor(draft, false);
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Add / })).toBeNull();
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(within(stepList()).getAllByRole("button")).toHaveLength(3);
  });
});
