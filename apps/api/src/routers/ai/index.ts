import { router } from "../../trpc/init.ts";
import { sendAiMessageProcedure } from "./send-ai-message.ts";
import { getAiContextProcedure } from "./get-ai-context.ts";
import { escalateAiConversationProcedure } from "./escalate-ai-conversation.ts";
import { getAiSettingsProcedure } from "./get-ai-settings.ts";
import { updateAiSettingsProcedure } from "./update-ai-settings.ts";

export const aiRouter = router({
  getSettings: getAiSettingsProcedure,
  updateSettings: updateAiSettingsProcedure,
  message: sendAiMessageProcedure,
  context: getAiContextProcedure,
  escalate: escalateAiConversationProcedure,
});
