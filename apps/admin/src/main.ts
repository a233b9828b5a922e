// The admin placeholder: signs in with a bearer token and lists the merchant's X accounts over the
// typed tRPC client. The full admin builds on this.
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@mkt-x/api/router";

const tokenInput = document.querySelector<HTMLTextAreaElement>("#token");
const form = document.querySelector<HTMLFormElement>("#login");
const status = document.querySelector<HTMLParagraphElement>("#status");
const table = document.querySelector<HTMLTableElement>("#accounts");

const client = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "/trpc", headers: () => ({ authorization: `Bearer ${localStorage.getItem("mktx.token") ?? ""}` }) })],
});

async function load() {
  if (!status || !table) return;
  status.textContent = "Loading…";
  status.className = "muted";
  try {
    const { data, pagination } = await client.accounts.list.query({ skip: 0, take: 100 });
    const body = table.tBodies[0];
    body?.replaceChildren(
      ...data.map((a) => {
        const row = document.createElement("tr");
        for (const text of [`@${a.username}`, a.displayName, a.status, a.webhookStatus ?? "—", new Date(a.connectedAt).toLocaleString()]) {
          const cell = document.createElement("td");
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }),
    );
    table.hidden = false;
    status.textContent = `${pagination.total} account(s)`;
  } catch (e) {
    table.hidden = true;
    status.className = "error";
    status.textContent = e instanceof TRPCClientError ? e.message : "Could not reach the API";
  }
}

if (tokenInput) tokenInput.value = localStorage.getItem("mktx.token") ?? "";
form?.addEventListener("submit", (event) => {
  event.preventDefault();
  localStorage.setItem("mktx.token", tokenInput?.value.trim() ?? "");
  void load();
});
if (localStorage.getItem("mktx.token")) void load();
