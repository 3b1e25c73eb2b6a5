/** The agency's delivery log of notices and reports. Pure: data in, HTML out. */
import type { DeliveryEntry } from "../../notify/delivery-log.js";
import { type MessageKey, t } from "../i18n.js";
import { html } from "./html.js";
import { layout, type PageContext } from "./layout.js";

const resultKey: Record<DeliveryEntry["result"], MessageKey> = {
  sent: "deliverySent",
  retry: "deliveryRetry",
  failed: "deliveryFailed",
};

export function deliveriesPage(ctx: PageContext, entries: readonly DeliveryEntry[]): string {
  const { lang } = ctx;
  const rows = entries.map(
    (e) => html`<tr>
<td>${e.attemptedAt}</td>
<td>${e.channel}</td>
<td>${e.destination}</td>
<td>${e.about}${e.incidentId === null ? null : html` <a href="/incidents/${String(e.incidentId)}">#${String(e.incidentId)}</a>`}</td>
<td class="delivery ${e.result}">${t(lang, resultKey[e.result])}</td>
<td>${e.errorCode ? `${e.errorCode}: ${e.error ?? ""}` : "—"}</td>
<td>${e.nextAttemptAt ?? "—"}</td>
</tr>`,
  );
  const main = html`<h1>${t(lang, "deliveriesTitle")}</h1>
<p>${t(lang, "deliveriesIntro")}</p>
${
  entries.length === 0
    ? html`<p>${t(lang, "deliveriesEmpty")}</p>`
    : html`<table class="deliveries">
<thead><tr><th scope="col">${t(lang, "deliveryAt")}</th><th scope="col">${t(lang, "deliveryChannel")}</th><th scope="col">${t(lang, "deliveryDestination")}</th><th scope="col">${t(lang, "deliveryAbout")}</th><th scope="col">${t(lang, "deliveryResult")}</th><th scope="col">${t(lang, "deliveryError")}</th><th scope="col">${t(lang, "deliveryNext")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}`;
  return layout(ctx, t(lang, "deliveriesTitle"), main);
}
