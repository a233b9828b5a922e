import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MantineProvider } from "@mantine/core";
import { SignIn } from "../src/app/sign-in.tsx";

function renderSignIn() {
  const onSignedIn = vi.fn();
  render(
    <MantineProvider>
      <SignIn onSignedIn={onSignedIn} />
    </MantineProvider>,
  );
  return onSignedIn;
}

describe("the sign-in form", () => {
  it("asks for both fields before calling the API", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const onSignedIn = renderSignIn();
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Enter your email and password.");
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("announces the API's refusal in an alert", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response(JSON.stringify({ success: false, error: "Wrong email or password", code: "UNAUTHORIZED" }), { status: 401 }));
    const onSignedIn = renderSignIn();
    await userEvent.type(screen.getByLabelText("Email"), "a@b.test");
    await userEvent.type(screen.getByLabelText("Password"), "something long enough");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password");
    expect(onSignedIn).not.toHaveBeenCalled();
  });
});
