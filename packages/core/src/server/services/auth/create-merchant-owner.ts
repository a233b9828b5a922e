// A new merchant and its first owner: `pnpm user:create`, signup, and the dev seed.
import type { Db, Tx } from "@mkt-x/db";
import { Prisma } from "@mkt-x/db";
import { AppError } from "../../../errors.ts";
import { hashPassword } from "./passwords.ts";

export const DUPLICATE_EMAIL = "A user with this email already exists";

export interface NewMerchantOwner {
  /** lowercased (the contract's Email does it) */
  email: string;
  password: string;
  name: string;
  merchantName: string;
  /** a fixed id (the demo merchant); default: a new UUID */
  merchantId?: string;
}

export async function createMerchantWithOwner(db: Db, input: NewMerchantOwner): Promise<{ merchantId: string; userId: string }> {
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const merchant = await tx.merchant.create({ data: { name: input.merchantName, ...(input.merchantId ? { id: input.merchantId } : {}) } });
    const user = await createUserRow(tx, { merchantId: merchant.id, email: input.email, name: input.name, role: "owner", passwordHash });
    return { merchantId: merchant.id, userId: user.id };
  });
}

/** Inserts a user; an email already taken (in any merchant) is 409 DUPLICATE_RESOURCE. */
export async function createUserRow(tx: Tx, data: { merchantId: string; email: string; name: string; role: string; passwordHash: string | null }) {
  try {
    return await tx.user.create({ data });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") throw new AppError("DUPLICATE_RESOURCE", DUPLICATE_EMAIL, { field: "email", reason: "already in use" });
    throw e;
  }
}
