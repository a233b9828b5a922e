import { describe, expect, it } from "vitest";
import { renderTemplate, templatePlaceholders, templateVariableNames, variableListProblems } from "../src/domain/render-template.ts";

const from = (values: Record<string, string>) => (name: string) => (Object.hasOwn(values, name) ? values[name] : undefined);

describe("templatePlaceholders", () => {
  it("finds plain placeholders and defaults, in order, repeats included", () => {
    expect(templatePlaceholders("Hi {{name}}, {{greeting|welcome}} to {{shop_name}}. Bye {{name}}")).toEqual([
      { name: "name" },
      { name: "greeting", defaultValue: "welcome" },
      { name: "shop_name" },
      { name: "name" },
    ]);
  });

  it("allows spaces inside the braces and around the bar, and trims the default", () => {
    expect(templatePlaceholders("{{ name }} {{  first_name | there  }} {{x|  two words }}")).toEqual([
      { name: "name" },
      { name: "first_name", defaultValue: "there" },
      { name: "x", defaultValue: "two words" },
    ]);
  });

  it("takes an empty default as the empty string", () => {
    expect(templatePlaceholders("{{x|}}")).toEqual([{ name: "x", defaultValue: "" }]);
  });

  it("accepts letters, digits, _ and . in names, not a leading digit or other characters", () => {
    expect(templatePlaceholders("{{order.id}} {{_x1}} {{A.b_c.2}}").map((p) => p.name)).toEqual(["order.id", "_x1", "A.b_c.2"]);
    expect(templatePlaceholders("{{1x}} {{a-b}} {{ }} {{}} {{na me}} {{é}}")).toEqual([]);
  });

  it("ignores unbalanced braces", () => {
    expect(templatePlaceholders("{{name} {name}} {{name {name} }}name{{")).toEqual([]);
  });

  it("lists distinct names in order of first appearance", () => {
    expect(templateVariableNames("{{b}} {{a|x}} {{b}} {{c}} {{a}}")).toEqual(["b", "a", "c"]);
    expect(templateVariableNames("no placeholders")).toEqual([]);
  });
});

describe("variableListProblems", () => {
  it("is null when the list has exactly the used names, in any order", () => {
    expect(variableListProblems("{{a}} {{b|x}} {{a}}", ["b", "a"])).toBeNull();
    expect(variableListProblems("plain", [])).toBeNull();
  });

  it("names the missing, the unused and the duplicates", () => {
    expect(variableListProblems("{{a}} {{b}}", ["b", "c", "c"])).toEqual({ missing: ["a"], unused: ["c"], duplicates: ["c"] });
    expect(variableListProblems("{{a}}", ["a", "a"])).toEqual({ missing: [], unused: [], duplicates: ["a"] });
  });
});

describe("renderTemplate", () => {
  it("substitutes every placeholder, repeated and adjacent ones included", () => {
    expect(renderTemplate("Hi {{name}}! {{name}}{{name}} {{a}}{{b}}", from({ name: "Tom", a: "1", b: "2" }))).toEqual({ ok: true, text: "Hi Tom! TomTom 12" });
  });

  it("uses the default only when the lookup has nothing", () => {
    const content = "Hi {{name|there}}, code {{code| NONE }}";
    expect(renderTemplate(content, from({}))).toEqual({ ok: true, text: "Hi there, code NONE" });
    expect(renderTemplate(content, from({ name: "Ann", code: "" }))).toEqual({ ok: true, text: "Hi Ann, code " });
  });

  it("renders an empty default as nothing", () => {
    expect(renderTemplate("[{{x|}}]", from({}))).toEqual({ ok: true, text: "[]" });
  });

  it("lists the names with no value and no default, each once, in order", () => {
    expect(renderTemplate("{{b}} {{a}} {{ok}} {{b}} {{d|fine}}", from({ ok: "y" }))).toEqual({ ok: false, missing: ["b", "a"] });
  });

  it("is plain text: no HTML escaping, no code execution, no replacement patterns", () => {
    const name = `<b>Tom & "Jerry"</b> <script>alert('x')</script>`;
    expect(renderTemplate("Hi {{name}}", from({ name }))).toEqual({ ok: true, text: `Hi ${name}` });
    expect(renderTemplate("{{a}}", from({ a: "$& $1 $$ $` ${1+1}" }))).toEqual({ ok: true, text: "$& $1 $$ $` ${1+1}" });
    expect(renderTemplate("{{constructor}} {{__proto__|p}}", from({}))).toEqual({ ok: false, missing: ["constructor"] });
  });

  it("does not expand placeholders inside values", () => {
    expect(renderTemplate("{{x}} {{y}}", from({ x: "{{y}}", y: "Y" }))).toEqual({ ok: true, text: "{{y}} Y" });
    expect(renderTemplate("{{x}}", from({ x: "{{missing}}" }))).toEqual({ ok: true, text: "{{missing}}" });
  });

  it("leaves unbalanced braces and non-placeholders as text", () => {
    expect(renderTemplate("{{name} {name}} {{ name {{1x}} }} {{a|b}c}}", from({ name: "N", a: "A" }))).toEqual({ ok: true, text: "{{name} {name}} {{ name {{1x}} }} {{a|b}c}}" });
    expect(renderTemplate("{{{name}}}", from({ name: "N" }))).toEqual({ ok: true, text: "{N}" });
  });

  it("keeps unicode in content, defaults and values", () => {
    expect(renderTemplate("Xin chào {{name|bạn}} 👋 — {{shop}}", from({ shop: "Cửa hàng 🛍️" }))).toEqual({ ok: true, text: "Xin chào bạn 👋 — Cửa hàng 🛍️" });
  });

  it("leaves content without placeholders unchanged", () => {
    expect(renderTemplate("Hello {there} }} {{", from({}))).toEqual({ ok: true, text: "Hello {there} }} {{" });
  });
});
