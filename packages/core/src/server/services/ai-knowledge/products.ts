// A merchant's product catalog: create, list (paged, searched), get, change, delete. `sku` is
// unique per merchant (409 CONFLICT).
import { Prisma } from "@mkt-x/db";
import { AppError, notFound } from "../../../errors.ts";
import { isUuid, pagination, type Pagination } from "../../../contract/common.ts";
import type { CreateProductInput, KnowledgeSearchInput, Product, ProductVariant, UpdateProductInput } from "../../../contract/ai-knowledge.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { rankKnowledge, searchTerms } from "./search-knowledge.ts";

export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: Prisma.Decimal;
  currency: string;
  variants: unknown;
  stock: number | null;
  url: string | null;
  imageUrl: string | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** The stored jsonb variants, read defensively: anything that is not a variant is skipped. */
export function readVariants(v: unknown): ProductVariant[] {
  if (!Array.isArray(v)) return [];
  const out: ProductVariant[] = [];
  for (const item of v as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const r = item as Record<string, unknown>;
    if (typeof r.stock !== "number") continue;
    out.push({ ...(typeof r.size === "string" && { size: r.size }), ...(typeof r.color === "string" && { color: r.color }), stock: r.stock });
  }
  return out;
}

export const toProductDto = (r: ProductRow): Product => ({
  id: r.id,
  sku: r.sku,
  name: r.name,
  description: r.description,
  price: r.price.toNumber(),
  currency: r.currency,
  variants: readVariants(r.variants),
  stock: r.stock,
  url: r.url,
  imageUrl: r.imageUrl,
  tags: r.tags,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** With variants and no stock of its own, a product's stock is theirs summed. */
export const productStock = (stock: number | null | undefined, variants: ProductVariant[] | undefined): number | null =>
  stock ?? (variants && variants.length > 0 ? variants.reduce((n, v) => n + v.stock, 0) : null);

const skuTaken = (sku: string) => new AppError("CONFLICT", `A product with SKU ${sku} already exists`, { field: "sku", reason: "already used by another product of this merchant" });
const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

export async function createProduct(db: ScopedDb, opts: { merchantId: string; input: CreateProductInput }): Promise<Product> {
  const i = opts.input;
  try {
    const row = await db.aiProduct.create({
      data: {
        merchantId: opts.merchantId,
        sku: i.sku,
        name: i.name,
        description: i.description ?? null,
        price: new Prisma.Decimal(i.price),
        currency: i.currency,
        variants: i.variants ?? [],
        stock: productStock(i.stock, i.variants),
        url: i.url ?? null,
        imageUrl: i.imageUrl ?? null,
        tags: [...new Set(i.tags ?? [])],
      },
    });
    return toProductDto(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw skuTaken(i.sku);
    throw e;
  }
}

async function findProduct(db: ScopedDb, productId: string): Promise<ProductRow> {
  const row = isUuid(productId) ? await db.aiProduct.findFirst({ where: { id: productId } }) : null;
  if (!row) throw notFound("Product", productId);
  return row;
}

export const getProduct = async (db: ScopedDb, opts: { productId: string }): Promise<Product> => toProductDto(await findProduct(db, opts.productId));

export async function updateProduct(db: ScopedDb, opts: { input: UpdateProductInput }): Promise<Product> {
  const { productId, ...c } = opts.input;
  const current = await findProduct(db, productId);
  const variantsChanged = c.variants !== undefined;
  const data = {
    ...(c.sku !== undefined && { sku: c.sku }),
    ...(c.name !== undefined && { name: c.name }),
    ...(c.description !== undefined && { description: c.description }),
    ...(c.price !== undefined && { price: new Prisma.Decimal(c.price) }),
    ...(c.currency !== undefined && { currency: c.currency }),
    ...(variantsChanged && { variants: c.variants }),
    // new variants without a stock of the product: their sum, as on create
    ...(c.stock !== undefined ? { stock: c.stock } : variantsChanged ? { stock: productStock(undefined, c.variants) ?? current.stock } : {}),
    ...(c.url !== undefined && { url: c.url }),
    ...(c.imageUrl !== undefined && { imageUrl: c.imageUrl }),
    ...(c.tags !== undefined && { tags: [...new Set(c.tags)] }),
  };
  try {
    const [row] = await db.aiProduct.updateManyAndReturn({ where: { id: productId }, data });
    if (!row) throw notFound("Product", productId);
    return toProductDto(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw skuTaken(c.sku ?? current.sku);
    throw e;
  }
}

export async function deleteProduct(db: ScopedDb, opts: { productId: string }): Promise<null> {
  if (!isUuid(opts.productId)) throw notFound("Product", opts.productId);
  const { count } = await db.aiProduct.deleteMany({ where: { id: opts.productId } });
  if (count === 0) throw notFound("Product", opts.productId);
  return null;
}

/** Newest first; with `search`, the best matches first (accents and small typos forgiven). */
export async function listProducts(db: ScopedDb, opts: { merchantId: string; input: KnowledgeSearchInput }): Promise<{ data: Product[]; pagination: Pagination }> {
  const { input } = opts;
  if (input.search) {
    const { ranked, total } = await rankKnowledge(db, { merchantId: opts.merchantId, table: "ai_products", terms: searchTerms(input.search), skip: input.skip, take: input.take });
    const rows = await productsByRank(db, ranked.map((r) => r.id));
    return { data: rows.map(toProductDto), pagination: pagination(input, total) };
  }
  const [rows, total] = await Promise.all([
    db.aiProduct.findMany({ orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: input.skip, take: input.take }),
    db.aiProduct.count(),
  ]);
  return { data: rows.map(toProductDto), pagination: pagination(input, total) };
}

/** The rows of these ids, in that order (the scoped db keeps other merchants' out). */
export async function productsByRank(db: ScopedDb, ids: string[]): Promise<ProductRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.aiProduct.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
