/**
 * Incident pages: the list the viewer sees, and one incident with its timeline — each step linked to
 * the audit that proves it — and, for its organisation and the agency, the acknowledge and comment
 * forms (POST with the session's CSRF token). Pure: data in, HTML out.
 */
import type { DetectionKind } from "../../monitor/detection/detection.js";
import type { IncidentEvent, IncidentEventType } from "../../monitor/incidents/incident.js";
import type { IncidentDetail, IncidentView } from "../app/incident-views.js";
import { type Lang, type MessageKey, t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { when } from "./status-words.js";

const stateStatus = { open: "fail", acknowledged: "warn", resolved: "pass" } as const;

const kindKeys: Readonly<Record<DetectionKind, MessageKey>> = {
  starttls_missing: "kind_starttls_missing",
  starttls_refused: "kind_starttls_refused",
  handshake_failed: "kind_handshake_failed",
  certificate_invalid: "kind_certificate_invalid",
  certificate_expired: "kind_certificate_expired",
  certificate_expiring: "kind_certificate_expiring",
  version_regression: "kind_version_regression",
  suite_regression: "kind_suite_regression",
  preference_regression: "kind_preference_regression",
  territory_left: "kind_territory_left",
  dane_broken: "kind_dane_broken",
  mta_sts_broken: "kind_mta_sts_broken",
  could_not_check: "kind_could_not_check",
  link_share_drop: "kind_link_share_drop",
  tlsrpt_new_failure_type: "kind_tlsrpt_new_failure_type",
};

const eventKeys: Readonly<Record<IncidentEventType, MessageKey>> = {
  observed: "event_observed",
  confirmed: "event_confirmed",
  opened: "event_opened",
  seen_again: "event_seen_again",
  could_not_check: "event_could_not_check",
  threshold: "event_threshold",
  acknowledged: "event_acknowledged",
  comment: "event_comment",
  resolved: "event_resolved",
  reopened: "event_reopened",
  notice: "event_notice",
};

const stateKeys: Readonly<Record<IncidentView["state"], MessageKey>> = {
  open: "state_open",
  acknowledged: "state_acknowledged",
  resolved: "state_resolved",
};

export const kindWord = (kind: DetectionKind, lang: Lang): string => {
  const key = kindKeys[kind];
  return key ? t(lang, key) : kind;
};

export function stateBadge(incident: Pick<IncidentView, "state" | "severity">, lang: Lang): SafeHtml {
  const status =
    incident.state === "open" && incident.severity === "warning" ? "warn" : stateStatus[incident.state];
  return html`<span class="badge ${status}">${t(lang, stateKeys[incident.state])}</span>`;
}

/** 93 784 000 ms → "1 d 2 h 3 min"; null → "—". */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "—";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d} d` : "", h ? `${h} h` : "", m || (!d && !h) ? `${m} min` : ""].filter(Boolean).join(" ");
}

/** A table of incidents (the list page, and the domain and organisation pages). */
export function incidentTable(ctx: PageContext, incidents: readonly IncidentView[]): SafeHtml {
  const { lang } = ctx;
  if (incidents.length === 0) return html`<p>${t(lang, "noIncidents")}</p>`;
  return html`<table class="incidents">
<thead><tr><th scope="col">${t(lang, "incident")}</th><th scope="col">${t(lang, "incidentState")}</th><th scope="col">${t(lang, "domain")}</th><th scope="col">${t(lang, "incidentKind")}</th><th scope="col">${t(lang, "incidentEndpoint")}</th><th scope="col">${t(lang, "openedAt")}</th><th scope="col">${t(lang, "timeToRestore")}</th></tr></thead>
<tbody>
${incidents.map(
  (i) => html`<tr><th scope="row"><a href="/incidents/${i.id}">#${i.id}</a></th>
<td>${stateBadge(i, lang)}</td>
<td>${i.domainId !== null ? html`<a href="/domains/${i.domainId}">${i.domain}</a>` : i.domain}</td>
<td>${kindWord(i.kind, lang)}</td>
<td>${i.endpoint ?? "—"}</td>
<td><time datetime="${i.openedAt}">${when(i.openedAt)}</time></td>
<td>${duration(i.timeToRestoreMs)}</td></tr>`,
)}
</tbody></table>`;
}

export function incidentListPage(ctx: PageContext, incidents: readonly IncidentView[]): string {
  const { lang } = ctx;
  return layout(
    ctx,
    t(lang, "incidentsTitle"),
    html`<h1>${t(lang, "incidentsTitle")}</h1>
<p class="muted">${t(lang, "incidentsIntro")}</p>
${incidentTable(ctx, incidents)}`,
  );
}

function auditLink(runId: number | null, linked: boolean): SafeHtml | string {
  // Indicator incidents have no audit (run 0): their evidence is the figures, not a run.
  if (runId === null || runId <= 0) return "";
  return linked ? html`<a href="/audits/${runId}">#${runId}</a>` : `#${runId}`;
}

function event(ctx: PageContext, e: IncidentEvent, linked: boolean): SafeHtml {
  const { lang } = ctx;
  const days = e.type === "threshold" && typeof e.data?.days === "number" ? ` (${e.data.days} j/d)` : "";
  return html`<li><time datetime="${e.at}">${when(e.at)}</time> — <strong>${t(lang, eventKeys[e.type])}${days}</strong>
${e.runId !== null ? html` · ${t(lang, "run")} ${auditLink(e.runId, linked)}` : null}
${e.author ? html` · ${e.author}` : null}
${e.text ? html`<br><span class="${e.type === "comment" ? "comment" : "muted"}">${e.text}</span>` : null}</li>`;
}

export function incidentPage(ctx: PageContext, detail: IncidentDetail, seesAudits: boolean): string {
  const { lang } = ctx;
  const i = detail.incident;
  // Audits are linked where the viewer may open them (its own domain's, or the agency and auditors).
  const linked = seesAudits || i.canAct;
  const row = (key: MessageKey, value: SafeHtml | string) =>
    html`<tr><th scope="row">${t(lang, key)}</th><td>${value}</td></tr>`;
  const actions =
    i.canAct && ctx.csrfToken
      ? html`<section aria-labelledby="act">
<h2 id="act" class="visually-hidden">${t(lang, "acknowledge")}</h2>
${
  i.state === "open"
    ? html`<form method="post" action="/incidents/${i.id}/acknowledge" class="inline">
<input type="hidden" name="_csrf" value="${ctx.csrfToken}">
<button type="submit">${t(lang, "acknowledge")}</button>
</form>`
    : null
}
<form method="post" action="/incidents/${i.id}/comment">
<input type="hidden" name="_csrf" value="${ctx.csrfToken}">
<label for="comment-text">${t(lang, "addComment")}</label>
<textarea id="comment-text" name="text" rows="3" maxlength="2000" required></textarea>
<button type="submit">${t(lang, "comment")}</button>
</form>
</section>`
      : null;
  return layout(
    ctx,
    `${t(lang, "incident")} #${i.id}`,
    html`<h1>${t(lang, "incident")} #${i.id} : ${kindWord(i.kind, lang)} ${stateBadge(i, lang)}</h1>
<p>${i.message}</p>
<table class="incident">
${row("domain", i.domainId !== null ? html`<a href="/domains/${i.domainId}">${i.domain}</a>` : i.domain)}
${row("organisation", i.organisation ?? "—")}
${row("incidentEndpoint", i.endpoint ?? "—")}
${row("lastGood", i.lastGoodAt ? html`<time datetime="${i.lastGoodAt}">${when(i.lastGoodAt)}</time> ${auditLink(i.lastGoodRunId, linked)}` : "—")}
${row("firstObserved", html`<time datetime="${i.firstObservedAt}">${when(i.firstObservedAt)}</time> ${auditLink(i.firstRunId, linked)}`)}
${row("openedAt", html`<time datetime="${i.openedAt}">${when(i.openedAt)}</time> ${auditLink(i.confirmRunId, linked)}`)}
${row("resolvedAt", i.resolvedAt ? html`<time datetime="${i.resolvedAt}">${when(i.resolvedAt)}</time> ${auditLink(i.resolveRunId, linked)}` : "—")}
${row("timeToDetect", duration(i.timeToDetectMs))}
${row("timeToRestore", duration(i.timeToRestoreMs))}
${row("audience", t(lang, i.audience === "all" ? "audienceAll" : "audienceOrganisation"))}
</table>
${actions}
<section aria-labelledby="timeline">
<h2 id="timeline">${t(lang, "timeline")}</h2>
<ol class="timeline">
${detail.timeline.map((e) => event(ctx, e, linked))}
</ol>
</section>
<p><a href="/incidents">${t(lang, "allIncidents")}</a></p>`,
  );
}
