-- Room on each contacts page for updated row versions: a counter or timestamp update that touches no
-- indexed column (conversation_count when a conversation starts, for one) then stays on its page as a
-- heap-only tuple, without a new entry in every index of the table (its GIN indexes included). Applies
-- to pages written from now on.
ALTER TABLE "contacts" SET (fillfactor = 90);
