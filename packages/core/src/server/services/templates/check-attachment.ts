// A template's attachment is fetched and checked when the template is saved, as an agent's is when
// the reply is sent: a campaign never starts with media that X would not take.
import type { OutgoingAttachment } from "../../../contract/media.ts";
import type { TargetPolicy } from "../outgoing-webhooks/target-policy.ts";
import { fetchMedia } from "../media/fetch-media.ts";

export async function checkAttachment(attachment: OutgoingAttachment, policy: TargetPolicy | undefined): Promise<void> {
  await fetchMedia({ url: attachment.url, type: attachment.type, policy: policy ?? { allowPrivate: false }, keep: false, field: "attachment.url" });
}
