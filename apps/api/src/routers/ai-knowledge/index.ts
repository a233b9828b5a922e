import { router } from "../../trpc/init.ts";
import { createFaqProcedure } from "./create-faq.ts";
import { listFaqsProcedure } from "./list-faqs.ts";
import { getFaqProcedure } from "./get-faq.ts";
import { updateFaqProcedure } from "./update-faq.ts";
import { deleteFaqProcedure } from "./delete-faq.ts";
import { createProductProcedure } from "./create-product.ts";
import { listProductsProcedure } from "./list-products.ts";
import { getProductProcedure } from "./get-product.ts";
import { updateProductProcedure } from "./update-product.ts";
import { deleteProductProcedure } from "./delete-product.ts";
import { importProductsCsvProcedure } from "./import-products-csv.ts";

// static paths before the /{id} ones
export const aiKnowledgeRouter = router({
  createFaq: createFaqProcedure,
  listFaqs: listFaqsProcedure,
  getFaq: getFaqProcedure,
  updateFaq: updateFaqProcedure,
  deleteFaq: deleteFaqProcedure,
  createProduct: createProductProcedure,
  listProducts: listProductsProcedure,
  importProductsCsv: importProductsCsvProcedure,
  getProduct: getProductProcedure,
  updateProduct: updateProductProcedure,
  deleteProduct: deleteProductProcedure,
});
