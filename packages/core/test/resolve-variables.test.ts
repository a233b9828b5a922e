import { describe, expect, it } from "vitest";
import { buildVariableLookup } from "../src/server/services/templates/resolve-variables.ts";

const contact = { displayName: "  Mary Ann Smith ", username: "mary_s", attributes: { tier: "gold", points: 120, vip: true, name: "Mimi", nested: { x: 1 } } };

describe("buildVariableLookup", () => {
  it("answers explicit variables first, numbers and booleans as text", () => {
    const lookup = buildVariableLookup({ explicit: { tier: "silver", n: 3, flag: false, name: "Explicit" }, contact, shopName: "Shop" });
    expect([lookup("tier"), lookup("n"), lookup("flag"), lookup("name")]).toEqual(["silver", "3", "false", "Explicit"]);
  });

  it("then the contact's attributes by key, before the built-ins", () => {
    const lookup = buildVariableLookup({ contact });
    expect([lookup("tier"), lookup("points"), lookup("vip"), lookup("name")]).toEqual(["gold", "120", "true", "Mimi"]);
    // a non-scalar attribute is no value
    expect(lookup("nested")).toBeUndefined();
  });

  it("then the built-ins: name, first_name, username, shop_name", () => {
    const lookup = buildVariableLookup({ contact: { ...contact, attributes: {} }, shopName: "GoodGo" });
    expect([lookup("name"), lookup("first_name"), lookup("username"), lookup("shop_name")]).toEqual(["Mary Ann Smith", "Mary", "mary_s", "GoodGo"]);
  });

  it("falls back to the username without a display name, and has nothing without either", () => {
    const noName = buildVariableLookup({ contact: { displayName: " ", username: "bob", attributes: null } });
    expect([noName("name"), noName("first_name"), noName("username")]).toEqual(["bob", "bob", "bob"]);
    const nobody = buildVariableLookup({ contact: { displayName: null, username: null, attributes: [] }, shopName: "" });
    expect([nobody("name"), nobody("first_name"), nobody("username"), nobody("shop_name")]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("has no built-ins of a contact when none is given, and no inherited members", () => {
    const lookup = buildVariableLookup({ explicit: {}, shopName: "S" });
    expect([lookup("name"), lookup("shop_name"), lookup("constructor"), lookup("toString"), lookup("__proto__")]).toEqual([undefined, "S", undefined, undefined, undefined]);
  });
});
