-- Who followed a short link: a click counts once per visitor (a keyed hash of the address and the
-- user agent, never the address itself), so reloads and scripted hits do not inflate the counts.
CREATE TABLE "short_link_visitors" (
    "link_id" UUID NOT NULL,
    "visitor" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "short_link_visitors_pkey" PRIMARY KEY ("link_id", "visitor"),
    CONSTRAINT "short_link_visitors_link_id_fkey" FOREIGN KEY ("link_id") REFERENCES "short_links"("id") ON DELETE CASCADE
);
