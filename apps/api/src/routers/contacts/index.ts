import { router } from "../../trpc/init.ts";

export const contactsRouter = router({});
