/**
 * The TLS-RPT reports received (RFC 8460 §4): per receiving organisation, one row per report and
 * policy — the sender's organization-name and contact-info as the report gives them, its date range,
 * the policy domain and type, successful and failed sessions and the failure types —, each report
 * linked to its page: the normalised report and the warnings recorded when it was received. Every
 * field of a report comes from whoever posted it to /tlsrpt: all of it goes through `html` (escaped),
 * none into an attribute but the report's numeric id. Pure.
 */
import type { Door } from "../../indicators/tlsrpt/report-store.js";
import type { ReceivedReports, ReportDetail } from "../app/tlsrpt-views.js";
import { type MessageKey, t } from "../i18n.js";
import { message, withArgs } from "./form-fields.js";
import { html, type SafeHtml } from "./html.js";
import { periodForm } from "./indicators-matrix.js";
import { layout, type PageContext } from "./layout.js";

export interface TlsRptReportsView extends ReceivedReports {
  readonly from: string;
  readonly to: string;
  readonly limit: number;
}

const failureList = (failures: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(failures)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([type, n]) => `${type} ${n}`)
    .join(", ");

const doorKey: Record<Door, MessageKey> = {
  https: "tlsrptDoorHttps",
  imap: "tlsrptDoorImap",
  file: "tlsrptDoorFile",
};

export function tlsRptReportsPage(ctx: PageContext, view: TlsRptReportsView): string {
  const { lang } = ctx;
  const section = (r: TlsRptReportsView["receivers"][number]): SafeHtml => {
    const title = r.name ?? t(lang, "tlsrptNoSignatory");
    const rows = r.reports.flatMap((report) =>
      report.policies.map(
        (p, i) =>
          html`<tr data-report="${report.id}">${
            i === 0
              ? html`<th scope="row" rowspan="${report.policies.length}"><a href="/indicators/tlsrpt/${report.id}?lang=${lang}">${report.organization}</a></th><td rowspan="${report.policies.length}">${report.contactInfo ?? "—"}</td><td rowspan="${report.policies.length}">${report.startDatetime} — ${report.endDatetime}</td>`
              : null
          }<td>${p.policyDomain}</td><td>${p.policyType}</td><td class="num">${p.successful}</td><td class="num">${p.failed}</td><td>${failureList(p.failures) || "—"}</td>${
            i === 0 ? html`<td class="num" rowspan="${report.policies.length}">${report.warnings}</td>` : null
          }</tr>`,
      ),
    );
    return html`<section class="tlsrpt-receiver"><h2>${title}</h2>
<div class="scroll"><table class="data tlsrpt-reports">
<caption>${t(lang, "tlsrptReceiver")} — ${title}</caption>
<thead><tr><th scope="col">${t(lang, "tlsrptSender")}</th><th scope="col">${t(lang, "tlsrptContact")}</th><th scope="col">${t(lang, "tlsrptRange")}</th><th scope="col">${t(lang, "tlsrptPolicyDomain")}</th><th scope="col">${t(lang, "tlsrptPolicyType")}</th><th scope="col">${t(lang, "tlsrptSuccessful")}</th><th scope="col">${t(lang, "tlsrptFailed")}</th><th scope="col">${t(lang, "tlsrptFailureTypes")}</th><th scope="col">${t(lang, "tlsrptWarnings")}</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
  };
  return layout(
    ctx,
    t(lang, "tlsrptTitle"),
    html`<h1>${t(lang, "tlsrptTitle")}</h1>
<p class="muted">${t(lang, "tlsrptIntro")}</p>
${periodForm(ctx, "/indicators/tlsrpt", view.from, view.to)}
${view.truncated ? html`<p class="notice" role="status">${message(lang, withArgs("tlsrptTruncated", view.limit))}</p>` : null}
${view.receivers.length === 0 ? html`<p>${t(lang, "tlsrptNone")}</p>` : view.receivers.map(section)}
<p><a href="/indicators?from=${view.from}&amp;to=${view.to}&amp;lang=${lang}">${t(lang, "navIndicators")}</a></p>`,
  );
}

export function tlsRptReportPage(ctx: PageContext, view: ReportDetail): string {
  const { lang } = ctx;
  const r = view.report;
  const policy = (p: ReportDetail["policies"][number]) => {
    const details = p["failure-details"];
    return html`<section class="tlsrpt-policy"><h2>${p.policy["policy-domain"]} (${p.policy["policy-type"]})</h2>
<dl class="tlsrpt-facts">
<dt>${t(lang, "tlsrptReceiver")}</dt><dd>${p.receiver ?? t(lang, "tlsrptNoSignatory")}</dd>
<dt>${t(lang, "tlsrptMxHosts")}</dt><dd>${p.policy["mx-host"].join(", ") || "—"}</dd>
<dt>${t(lang, "tlsrptSuccessful")}</dt><dd data-figure="successful">${p.summary["total-successful-session-count"]}</dd>
<dt>${t(lang, "tlsrptFailed")}</dt><dd data-figure="failed">${p.summary["total-failure-session-count"]}</dd>
</dl>
${p.policy["policy-string"].length > 0 ? html`<p>${t(lang, "tlsrptPolicyString")}</p><pre class="tlsrpt-policy-string">${p.policy["policy-string"].join("\n")}</pre>` : null}
${
  details.length === 0
    ? html`<p class="muted">${t(lang, "tlsrptNoFailureDetails")}</p>`
    : html`<div class="scroll"><table class="data tlsrpt-failures"><caption>${t(lang, "tlsrptFailureDetails")}</caption>
<thead><tr><th scope="col">RFC 8460</th><th scope="col">${t(lang, "tlsrptCount")}</th><th scope="col">${t(lang, "tlsrptSendingIp")}</th><th scope="col">${t(lang, "tlsrptReceivingMx")}</th><th scope="col">${t(lang, "tlsrptReceivingIp")}</th><th scope="col">${t(lang, "tlsrptAdditional")}</th></tr></thead>
<tbody>${details.map(
        (f) =>
          html`<tr><th scope="row">${f["result-type"]}</th><td class="num">${f["failed-session-count"]}</td><td>${f["sending-mta-ip"] ?? "—"}</td><td>${f["receiving-mx-hostname"] ?? "—"}${f["receiving-mx-helo"] ? html` (${f["receiving-mx-helo"]})` : null}</td><td>${f["receiving-ip"] ?? "—"}</td><td>${[f["failure-reason-code"], f["additional-information"]].filter(Boolean).join(" — ") || "—"}</td></tr>`,
      )}</tbody></table></div>`
}</section>`;
  };
  const shown = { ...r, policies: view.policies.map(({ receiver: _receiver, ...p }) => p) };
  return layout(
    ctx,
    `${t(lang, "tlsrptReportTitle")} ${r["report-id"]}`,
    html`<h1>${t(lang, "tlsrptReportTitle")} — ${r["organization-name"]}</h1>
<dl class="tlsrpt-facts">
<dt>${t(lang, "tlsrptSender")}</dt><dd data-field="organization-name">${r["organization-name"]}</dd>
<dt>${t(lang, "tlsrptContact")}</dt><dd data-field="contact-info">${r["contact-info"] ?? "—"}</dd>
<dt>${t(lang, "tlsrptReportId")}</dt><dd data-field="report-id">${r["report-id"]}</dd>
<dt>${t(lang, "tlsrptRange")}</dt><dd>${r["date-range"]["start-datetime"]} — ${r["date-range"]["end-datetime"]}</dd>
<dt>${t(lang, "tlsrptReceivedAt")}</dt><dd>${view.receivedAt}</dd>
<dt>${t(lang, "tlsrptDoor")}</dt><dd>${t(lang, doorKey[view.door])}</dd>
</dl>
${view.hiddenPolicies > 0 ? html`<p class="muted">${message(lang, withArgs("tlsrptHidden", view.hiddenPolicies))}</p>` : null}
${view.policies.map(policy)}
<h2>${t(lang, "tlsrptWarnings")}</h2>
${
  view.warnings.length === 0
    ? html`<p class="muted">${t(lang, "tlsrptNoWarnings")}</p>`
    : html`<div class="scroll"><table class="data tlsrpt-warnings"><thead><tr><th scope="col">${t(lang, "tlsrptWarningCode")}</th><th scope="col">${t(lang, "tlsrptWarningPath")}</th><th scope="col">${t(lang, "tlsrptWarningDetail")}</th></tr></thead>
<tbody>${view.warnings.map((w) => html`<tr><th scope="row">${w.code}</th><td>${w.path}</td><td>${w.detail}</td></tr>`)}</tbody></table></div>`
}
<details><summary>${t(lang, "tlsrptNormalised")}</summary><pre class="tlsrpt-json">${JSON.stringify(shown, null, 2)}</pre></details>
<p><a href="/indicators/tlsrpt?lang=${lang}">${t(lang, "tlsrptBack")}</a></p>`,
  );
}
