// Signing in (/api/v1/auth/*), the team and API keys (/api/v1/mkt-x/team, /api-keys): CONTRACT.md
// "Signing in" and "Team and API keys".
import { z } from "zod";
import { ROLES } from "../roles.ts";
import { EntityId, Uuid } from "./common.ts";

export const MIN_PASSWORD_BYTES = 12;
/** argon2 would take any length; the cap keeps one request from buying seconds of CPU */
export const MAX_PASSWORD_BYTES = 1024;

const byteLength = (s: string) => new TextEncoder().encode(s).length;
const hasNul = (s: string) => s.includes("\u0000");

/** Lowercased: emails are matched case-insensitively everywhere. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: "must be an email address" }))
  .transform((e) => e.toLowerCase());

/** A password being set: 12 to 1,024 bytes of UTF-8. */
export const NewPassword = z
  .string()
  .refine((p) => byteLength(p) <= MAX_PASSWORD_BYTES, { message: `must be at most ${MAX_PASSWORD_BYTES} bytes`, abort: true })
  .refine((p) => byteLength(p) >= MIN_PASSWORD_BYTES, { message: `must be at least ${MIN_PASSWORD_BYTES} bytes` });

/** A password presented at login: too long is refused before any hashing; too short simply does not match. */
export const PresentedPassword = z
  .string()
  .min(1, { message: "is required" })
  .refine((p) => byteLength(p) <= MAX_PASSWORD_BYTES, { message: `must be at most ${MAX_PASSWORD_BYTES} bytes` });

const PersonName = z.string().trim().min(1, { message: "is required" }).max(200).refine((s) => !hasNul(s), { message: "must not contain NUL characters" });
/** an opaque token we issued (refresh, invite): anything else simply matches nothing (401) */
const OpaqueToken = z.string().min(1, { message: "is required" }).max(512);

export const RoleSchema = z.enum(ROLES);

export const LoginInput = z.object({ email: Email, password: PresentedPassword });
export type LoginInput = z.infer<typeof LoginInput>;

export const SignupInput = z.object({ email: Email, password: NewPassword, name: PersonName, merchantName: PersonName });
export type SignupInput = z.infer<typeof SignupInput>;

export const RefreshInput = z.object({ refreshToken: OpaqueToken });
export const LogoutInput = RefreshInput;
export const AcceptInviteInput = z.object({ inviteToken: OpaqueToken, password: NewPassword });
export type AcceptInviteInput = z.infer<typeof AcceptInviteInput>;

/** The seed's shape: what login, refresh, signup and accept-invite answer. */
export const TokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** seconds the access token is valid for */
  expiresIn: z.number().int(),
});
export type TokenPair = z.infer<typeof TokenPair>;

export const Me = z.object({ id: Uuid, email: z.string(), name: z.string(), merchantId: z.string(), role: RoleSchema });
export type Me = z.infer<typeof Me>;

// ── team ──

export const TEAM_USER_STATUSES = ["active", "invited"] as const;

export const TeamUser = z.object({
  id: Uuid,
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  /** invited: created without a password, the invite not yet accepted */
  status: z.enum(TEAM_USER_STATUSES),
  lastLoginAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type TeamUser = z.infer<typeof TeamUser>;

export const CreateTeamUserInput = z.object({ email: Email, name: PersonName, role: RoleSchema, password: NewPassword.optional() });
export type CreateTeamUserInput = z.infer<typeof CreateTeamUserInput>;

export const CreatedTeamUser = TeamUser.extend({
  /** only when created without a password: shown this once, for POST /api/v1/auth/accept-invite */
  inviteToken: z.string().optional(),
  inviteExpiresAt: z.iso.datetime().optional(),
});
export type CreatedTeamUser = z.infer<typeof CreatedTeamUser>;

export const TeamUserIdInput = z.object({ userId: EntityId });
export const UpdateTeamUserInput = z.object({ userId: EntityId, role: RoleSchema.optional(), name: PersonName.optional() });
export type UpdateTeamUserInput = z.infer<typeof UpdateTeamUserInput>;

// ── API keys ──

export const API_KEY_PREFIX = "mktx_";

export const ApiKey = z.object({
  id: Uuid,
  name: z.string(),
  role: RoleSchema,
  /** the key's first characters, to recognise it; never enough to use it */
  prefix: z.string(),
  lastUsedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateApiKeyInput = z.object({ name: PersonName, role: RoleSchema });
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;

export const CreatedApiKey = z.object({
  id: Uuid,
  name: z.string(),
  role: RoleSchema,
  /** `mktx_…`: shown this once, stored only as a hash */
  key: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyIdInput = z.object({ id: EntityId });
