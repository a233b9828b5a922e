// Where a template variable's value comes from, first match wins: the explicit variables (a
// preview's body, a campaign's or a test send's `variables`), then the contact's attributes by
// key, then the built-ins name, first_name, username and shop_name (the merchant's shop name when
// set, else the display name of the X account the DM goes out from: how the shop appears in DMs).
import { isAttributeValue } from "../../../domain/contact-fields.ts";

export type ExplicitVariables = Readonly<Record<string, string | number | boolean>>;

export interface VariableContact {
  displayName: string | null;
  username: string | null;
  /** the stored attributes document; only its scalar values are used */
  attributes: unknown;
}

export interface VariableSources {
  explicit?: ExplicitVariables | undefined;
  contact?: VariableContact | null | undefined;
  /** merchant_settings.shop_name */
  shopName?: string | null | undefined;
  /** the sending X account's display name: shop_name when the merchant set none */
  accountName?: string | null | undefined;
}

const present = (s: string | null | undefined): s is string => s !== null && s !== undefined && s.trim() !== "";

function builtIns(contact: VariableContact | null | undefined, shopName: string | null | undefined): Record<string, string | undefined> {
  const displayName = present(contact?.displayName) ? contact.displayName.trim() : undefined;
  const username = present(contact?.username) ? contact.username : undefined;
  return {
    name: displayName ?? username,
    first_name: displayName?.split(/\s+/)[0] ?? username,
    username,
    shop_name: present(shopName) ? shopName : undefined,
  };
}

const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** The lookup renderTemplate asks for each placeholder; numbers and booleans read as text. */
export function buildVariableLookup(sources: VariableSources): (name: string) => string | undefined {
  const explicit = sources.explicit ?? {};
  const attributes = sources.contact?.attributes;
  const attributeMap = typeof attributes === "object" && attributes !== null && !Array.isArray(attributes) ? attributes : {};
  const fallback = builtIns(sources.contact, present(sources.shopName) ? sources.shopName : sources.accountName);
  return (name) => {
    // own keys only: a variable called `constructor` or `__proto__` is not an object's inherited member
    if (own(explicit, name)) return String(explicit[name]);
    if (own(attributeMap, name)) {
      const value: unknown = (attributeMap as Record<string, unknown>)[name];
      if (isAttributeValue(value)) return String(value);
    }
    return own(fallback, name) ? fallback[name] : undefined;
  };
}
