/**
 * Who receives a notice, pure: from the notice's audiences filtered by the configuration, the
 * registry's contacts and the configured channels. Charte art. 4.6: the agency and all the signatories
 * are told of an interruption; the organisation concerned first of all.
 *
 * An address reached through several audiences (the organisation's contact is also a signatory's) gets
 * one mail, written for the closest audience (organisation, then agency, then signatories).
 * Webhooks are the service's own receivers (the agency's SIEM, a chat bridge): each gets every notice
 * of the kinds it is configured for. A webhook with `organisations` is those organisations' own
 * receiver: it gets the notices about one of them (by registry id, else by the name the notice
 * carries), and those addressed to every signatory (art. 4.6) when one of them is a signatory in
 * force — what their contacts would be mailed, never another organisation's private notice.
 */
import type { NotifyConfig, WebhookChannel } from "./config.js";
import type { Audience, Notice } from "./notice.js";

/** What the registry tells about one signatory, for addressing. */
export interface Contactable {
  readonly id: number;
  readonly name: string;
  readonly contact: string;
  /** Charte art. 7: past this date the organisation is no longer a signatory. */
  readonly withdrawalEffectiveDate: string | null;
}

export type Addressed =
  | { readonly channel: "email"; readonly destination: string; readonly audience: Audience | "test" }
  | { readonly channel: "webhook"; readonly destination: string; readonly webhook: string };

const closeness: readonly Audience[] = ["organisation", "agency", "signatories"];

export type AddressingProblem =
  | "organisation-unknown"
  | "agency-not-configured"
  | "no-email-channel"
  /** A webhook names an organisation the registry does not have (a typo, a renaming). */
  | "webhook-organisation-unknown";

export interface Addressing {
  readonly recipients: readonly Addressed[];
  /** Audiences that could not be reached, for the delivery log (never silent). */
  readonly problems: readonly AddressingProblem[];
}

export function effectiveAudiences(notice: Notice, config: NotifyConfig): Audience[] {
  const allowed = config.audiences[notice.kind];
  return notice.audiences.filter((a) => !allowed || allowed.includes(a));
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The organisations webhooks name that the registry does not have (a typo, a renaming): such a
 * webhook is sent nothing about them. Said when serve's worker starts and by `notify test`.
 */
export function unknownWebhookOrganisations(
  config: Pick<NotifyConfig, "webhooks">,
  registry: readonly Contactable[],
): string[] {
  return config.webhooks.flatMap((w) =>
    (w.organisations ?? [])
      .filter((n) => !registry.some((o) => sameName(n, o.name)))
      .map(
        (n) =>
          `webhook ${w.name}: organisation "${n}" is not in the registry (by its registry name): it is sent nothing about it`,
      ),
  );
}

/** Whether a webhook receives a notice, by its organisations (the kinds are checked apart). */
export function webhookConcerned(
  hook: Pick<WebhookChannel, "organisations">,
  notice: Notice,
  audiences: readonly Audience[],
  registry: readonly Contactable[],
  today: string,
): boolean {
  const names = hook.organisations;
  if (!names) return true;
  const own = registry.filter((o) => names.some((n) => sameName(n, o.name)));
  const about =
    notice.organisationId !== null
      ? own.some((o) => o.id === notice.organisationId)
      : notice.organisation !== null && names.some((n) => sameName(n, notice.organisation as string));
  if (about) return true;
  return (
    audiences.includes("signatories") &&
    own.some((o) => o.withdrawalEffectiveDate === null || o.withdrawalEffectiveDate > today)
  );
}

export function addressNotice(
  notice: Notice,
  config: NotifyConfig,
  registry: readonly Contactable[],
  today: string,
): Addressing {
  const problems: AddressingProblem[] = [];
  const byAddress = new Map<string, Audience>();
  const add = (address: string, audience: Audience) => {
    const key = address.trim().toLowerCase();
    const known = byAddress.get(key);
    if (!known || closeness.indexOf(audience) < closeness.indexOf(known)) byAddress.set(key, audience);
  };
  const inForce = registry.filter(
    (o) => o.withdrawalEffectiveDate === null || o.withdrawalEffectiveDate > today,
  );
  const audiences = effectiveAudiences(notice, config);
  for (const audience of audiences) {
    if (audience === "organisation") {
      const org = registry.find((o) => o.id === notice.organisationId);
      if (org) add(org.contact, "organisation");
      else problems.push("organisation-unknown");
    } else if (audience === "agency") {
      if (config.agencyEmail) add(config.agencyEmail, "agency");
      else problems.push("agency-not-configured");
    } else for (const o of inForce) add(o.contact, "signatories");
  }
  const recipients: Addressed[] = [];
  if (config.email)
    for (const [destination, audience] of byAddress)
      recipients.push({ channel: "email", destination, audience });
  else if (byAddress.size > 0) problems.push("no-email-channel");
  for (const w of config.webhooks) {
    if (!w.kinds.includes(notice.kind)) continue;
    if (w.organisations?.some((n) => !registry.some((o) => sameName(n, o.name))))
      problems.push("webhook-organisation-unknown");
    if (webhookConcerned(w, notice, audiences, registry, today))
      recipients.push({ channel: "webhook", destination: w.url, webhook: w.name });
  }
  return { recipients, problems };
}
