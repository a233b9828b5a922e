// Reads the first <form> of a page and builds what a browser submits when a button is clicked:
// hidden and text inputs with their values, the checked radio of each group, and the clicked
// button's name=value. Just enough HTML for the sandbox's authorize page; no scripts run there.

export interface HtmlForm {
  action: string;
  method: string;
  inputs: Array<{ type: string; name: string; value: string; checked: boolean; id: string | null }>;
  /** each submit button with its accessible name (its text) */
  buttons: Array<{ name: string | null; value: string; text: string }>;
}

const decode = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e] ?? _m);

function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of tag.matchAll(/\s([a-zA-Z_:][-\w:.]*)(?:\s*=\s*"([^"]*)")?/g)) {
    if (m[1]) attrs.set(m[1].toLowerCase(), decode(m[2] ?? ""));
  }
  return attrs;
}

export function parseForm(html: string, pageUrl: string): HtmlForm {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form?.[2]) throw new Error("the page has no form");
  const formAttrs = attributes(` ${form[1] ?? ""}`);
  const inputs = [...form[2].matchAll(/<input\b([^>]*)>/gi)].map((m) => {
    const a = attributes(` ${m[1] ?? ""}`);
    return { type: (a.get("type") ?? "text").toLowerCase(), name: a.get("name") ?? "", value: a.get("value") ?? "", checked: a.has("checked"), id: a.get("id") ?? null };
  });
  const buttons = [...form[2].matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)].map((m) => {
    const a = attributes(` ${m[1] ?? ""}`);
    return { name: a.get("name") ?? null, value: a.get("value") ?? "", text: decode((m[2] ?? "").replace(/<[^>]*>/g, "")).trim() };
  });
  return { action: new URL(formAttrs.get("action") ?? "", pageUrl).toString(), method: (formAttrs.get("method") ?? "get").toUpperCase(), inputs, buttons };
}

/** The body a browser posts when `buttonText` is clicked, after typing `fill` into text inputs and picking `choose` radios. */
export function formSubmission(form: HtmlForm, buttonText: string, opts: { fill?: Record<string, string>; choose?: Record<string, string> } = {}): URLSearchParams {
  const button = form.buttons.find((b) => b.text === buttonText);
  if (!button) throw new Error(`no button named ${buttonText} (there are: ${form.buttons.map((b) => b.text).join(", ")})`);
  const body = new URLSearchParams();
  for (const input of form.inputs) {
    if (!input.name) continue;
    if (input.type === "radio") {
      const chosen = opts.choose?.[input.name];
      if (chosen !== undefined ? chosen === input.value : input.checked) body.append(input.name, input.value);
    } else if (input.type === "hidden" || input.type === "text") {
      body.append(input.name, opts.fill?.[input.name] ?? input.value);
    }
  }
  if (button.name) body.append(button.name, button.value);
  return body;
}
