// The "try it" chat's answer: what the AI understood, said in words a merchant reads.
import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import { AnswerView } from "../src/screens/ai/ai-screen.tsx";

describe("an AI answer in the try-it chat", () => {
  it("shows the response with its intent, confidence, escalation and slots", () => {
    render(
      <MantineProvider env="test">
        <AnswerView answer={{ intent: "order_status_query", confidence: 0.92, response: "Your order #12345 ships today.", slots: { orderId: "12345" }, requiresEscalation: false, sources: [{ type: "order", id: "12345" }] }} />
      </MantineProvider>,
    );
    expect(screen.getByText("Your order #12345 ships today.")).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "What the AI understood" })).toHaveTextContent(/Intent: order status query.*Confidence: 92%.*No escalation.*orderId: 12345/);
    expect(screen.getByRole("list", { name: "What the answer used" })).toHaveTextContent("Order 12345");
  });

  it("says when the conversation should go to a person", () => {
    render(
      <MantineProvider env="test">
        <AnswerView answer={{ intent: "human_request", confidence: 0.3, response: "Let me get someone.", slots: {}, requiresEscalation: true, sources: [] }} />
      </MantineProvider>,
    );
    expect(screen.getByRole("group", { name: "What the AI understood" })).toHaveTextContent(/Confidence: 30%.*Escalation: hand to a person/);
    expect(screen.queryByRole("list", { name: "What the answer used" })).toBeNull();
  });
});
