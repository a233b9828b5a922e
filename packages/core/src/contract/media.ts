import { z } from "zod";

export const MEDIA_TYPES = ["image", "gif", "video"] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** One media item to send with a DM (X takes one per DM): fetched from the URL and uploaded to X. */
export const OutgoingAttachment = z.object({
  type: z.enum(MEDIA_TYPES).meta({ description: "image (JPEG, PNG, WebP; 5 MB), gif (15 MB) or video (MP4, MOV; 512 MB)" }),
  url: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).max(2048),
});
export type OutgoingAttachment = z.infer<typeof OutgoingAttachment>;
