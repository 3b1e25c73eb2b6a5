/**
 * The application functions of the outbound test, the one path the command line, the service's pages
 * and API and the audit use: start a test for a domain, read a test's result, the latest result of a
 * domain.
 */
import { MailcharterError } from "../core/errors.js";
import { outboundLimits } from "../core/limits.js";
import type { Store } from "../store/database.js";
import type { OutboundConfig } from "./config.js";
import { openOutboundStore } from "./outbound-store.js";
import { type OutboundTestDocument, outboundTestDocument } from "./result-document.js";

const domainPattern =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export function normaliseDomain(text: string): string {
  const domain = text.trim().toLowerCase().replace(/\.$/, "");
  if (!domainPattern.test(domain))
    throw new MailcharterError("usage", `--domain: "${text}" is not a domain name`);
  return domain;
}

export interface StartOptions {
  readonly domain: string;
  readonly requestedBy: string;
  readonly now?: Date;
  /** Lifetime of this test (default: the configuration's). */
  readonly lifetimeMs?: number;
}

export async function startOutboundTest(
  store: Store,
  config: OutboundConfig,
  options: StartOptions,
): Promise<OutboundTestDocument> {
  const now = options.now ?? new Date();
  const lifetimeMs = options.lifetimeMs ?? config.testLifetimeMs;
  if (lifetimeMs < outboundLimits.minTestLifetimeMs || lifetimeMs > outboundLimits.maxTestLifetimeMs)
    throw new MailcharterError(
      "usage",
      `--expires-in: between ${outboundLimits.minTestLifetimeMs / 1000} and ${outboundLimits.maxTestLifetimeMs / 1000} seconds`,
    );
  const test = await (await openOutboundStore(store)).createTest({
    domain: normaliseDomain(options.domain),
    requestedBy: options.requestedBy,
    now,
    lifetimeMs,
    variants: config.variants,
  });
  return outboundTestDocument(test, [], now);
}

export async function outboundTestResult(
  store: Store,
  id: number,
  now: Date = new Date(),
): Promise<OutboundTestDocument | null> {
  const tests = await openOutboundStore(store);
  const test = await tests.getTest(id);
  if (!test) return null;
  return outboundTestDocument(test, await tests.messages(id), now);
}

/**
 * The result the audit judges for `domain`: the newest complete test (every variant arrived, or its
 * deadline passed: its conclusions are final), else the newest still running; null when the domain
 * never ran one.
 */
export async function latestOutboundResult(
  store: Store,
  domain: string,
  now: Date = new Date(),
): Promise<OutboundTestDocument | null> {
  const tests = await openOutboundStore(store);
  const docs: OutboundTestDocument[] = [];
  for (const test of await tests.testsOf(domain, 20)) {
    const doc = outboundTestDocument(test, await tests.messages(test.id), now);
    if (doc.state === "complete") return doc;
    docs.push(doc);
  }
  return docs[0] ?? null;
}

/** What the service's routes use (src/web/context.ts): start a test where configured, read one. */
export interface OutboundPort {
  /** False when this server has no outbound-test configuration (tests cannot be started here). */
  readonly configured: boolean;
  start(domain: string, requestedBy: string): Promise<OutboundTestDocument>;
  /** The test and the organisation its domain belonged to when it started (for the scope check). */
  get(
    id: number,
  ): Promise<{ readonly doc: OutboundTestDocument; readonly organisationId: number | null } | null>;
}

export function outboundPort(
  store: Store,
  config: OutboundConfig | null,
  now: () => Date = () => new Date(),
): OutboundPort {
  return {
    configured: config !== null,
    async start(domain, requestedBy) {
      if (!config) throw new MailcharterError("config", "no outbound-test configuration on this server");
      return startOutboundTest(store, config, { domain, requestedBy, now: now() });
    },
    async get(id) {
      const doc = await outboundTestResult(store, id, now());
      if (!doc) return null;
      return { doc, organisationId: await (await openOutboundStore(store)).organisationIdOf(id) };
    },
  };
}
