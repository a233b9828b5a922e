import { router } from "../../trpc/init.ts";
import { listConversationsProcedure } from "./list-conversations.ts";
import { sendConversationMessageProcedure } from "./send-conversation-message.ts";
import { closeConversationProcedure } from "./close-conversation.ts";
import { assignConversationProcedure } from "./assign-conversation.ts";
import { getConversationProcedure } from "./get-conversation.ts";
import { reopenConversationProcedure } from "./reopen-conversation.ts";
import { dismissSuggestionProcedure } from "./dismiss-suggestion.ts";

export const conversationsRouter = router({
  list: listConversationsProcedure,
  sendMessage: sendConversationMessageProcedure,
  close: closeConversationProcedure,
  assign: assignConversationProcedure,
  get: getConversationProcedure,
  reopen: reopenConversationProcedure,
  dismissSuggestion: dismissSuggestionProcedure,
});
