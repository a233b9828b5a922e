// Template placeholders and their rendering: `{{name}}` and `{{name|default}}`, spaces allowed
// inside the braces. Plain text substitution in one pass: nothing is evaluated, nothing is escaped
// (a DM is plain text, not HTML), and a value that itself looks like a placeholder stays as it is.

/** A variable's name: a letter or _, then letters, digits, _ or `.` (`order.id`). */
export const TEMPLATE_VARIABLE_PATTERN = /^[A-Za-z_][A-Za-z0-9_.]*$/;
export const MAX_TEMPLATE_VARIABLE_CHARS = 100;

// A default runs to the closing braces and holds no brace: `{{a|b}c}}` is not a placeholder and
// stays text. Built anew per call: a global regex carries lastIndex state.
const placeholderRegex = () => /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:\|([^{}]*))?\}\}/g;

export interface TemplatePlaceholder {
  name: string;
  /** present when written `{{name|default}}`, trimmed; `{{name|}}` has the default "" */
  defaultValue?: string;
}

/** Every placeholder of the content, in order of appearance (repeats included). */
export function templatePlaceholders(content: string): TemplatePlaceholder[] {
  return [...content.matchAll(placeholderRegex())].map((m) => {
    const name = m[1] ?? "";
    const defaultValue = m[2];
    return defaultValue === undefined ? { name } : { name, defaultValue: defaultValue.trim() };
  });
}

/** The distinct names the content uses, in order of first appearance. */
export const templateVariableNames = (content: string): string[] => [...new Set(templatePlaceholders(content).map((p) => p.name))];

export interface VariableListProblems {
  /** used in the content but not listed */
  missing: string[];
  /** listed but not used in the content */
  unused: string[];
  /** listed more than once */
  duplicates: string[];
}

/** How a template's `variables` differ from the placeholders of its content; null when they match exactly. */
export function variableListProblems(content: string, variables: readonly string[]): VariableListProblems | null {
  const used = templateVariableNames(content);
  const listed = new Set(variables);
  const missing = used.filter((name) => !listed.has(name));
  const unused = [...listed].filter((name) => !used.includes(name));
  const duplicates = [...new Set(variables.filter((name, i) => variables.indexOf(name) !== i))];
  return missing.length + unused.length + duplicates.length === 0 ? null : { missing, unused, duplicates };
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

/**
 * Substitutes each placeholder with `lookup(name)`, else its default. When some placeholder has
 * neither, answers the missing names (distinct, in order of first appearance) instead of a text.
 */
export function renderTemplate(content: string, lookup: (name: string) => string | undefined): RenderResult {
  const missing = new Set<string>();
  const text = content.replace(placeholderRegex(), (whole, name: string, defaultValue: string | undefined) => {
    const value = lookup(name) ?? defaultValue?.trim();
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  return missing.size > 0 ? { ok: false, missing: [...missing] } : { ok: true, text };
}
