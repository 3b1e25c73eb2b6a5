/**
 * The charter audit of one mail domain (docs/contract.md §3, §4): discovery, probes (each endpoint once per run,
 * whatever the number of domains or MX sharing it), webmail fetches, DNS policy records, measures,
 * verdict. Measures never open sockets: they judge the facts collected here (measures/audit-facts.ts),
 * each measure once, from the registry (measures/registry.ts).
 */
import { limits } from "../core/limits.js";
import type { Network } from "../net/network.js";
import { endpointOfServer, fetchAutoconfig } from "./discovery/autoconfig.js";
import { type DiscoveredEndpoint, type Discovery, discover, type FoundBy } from "./discovery/discovery.js";
import { fetchStsPolicy } from "./discovery/mta-sts-fetch.js";
import type { AccessEndpoint, AuditFacts, WebmailFetch } from "./measures/audit-facts.js";
import type { MeasureResult, Verdict } from "./measures/measure.js";
import { verdictOf } from "./measures/measure.js";
import type { OutboundLookup, OutboundRead } from "./measures/outbound-facts.js";
import { judgeAll } from "./measures/registry.js";
import type { Territory } from "./measures/territory.js";
import type { EndpointReport } from "./probe/endpoint.js";
import { httpFetch } from "./probe/http-fetch.js";
import { endpointDeadline, type ProbeOptions, probeEndpoint } from "./probe/probe-endpoint.js";
import { evaluateProfile, type ProfileResult } from "./profiles/evaluate.js";
import type { Profile } from "./profiles/profile.js";
import { charter2015, profiles } from "./profiles/profiles.js";

export const auditSchema = "mailcharter/audit/1";

export interface AuditedEndpoint extends EndpointReport {
  readonly foundBy: readonly FoundBy[];
}

export interface AuditReport {
  readonly schema: typeof auditSchema;
  readonly domain: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly verdict: Verdict;
  readonly measures: readonly MeasureResult[];
  readonly endpoints: readonly AuditedEndpoint[];
  readonly discovery: {
    readonly mx: Discovery["mx"];
    readonly notes: readonly string[];
    /** Discovery lookups that failed without proving absence (why some measures are `error`). */
    readonly failures?: Discovery["failures"];
  };
  /** TLS profiles evaluated on every TLS endpoint, reported beside the charter verdict. */
  readonly profiles: readonly ProfileResult[];
  /**
   * The charter version whose annex judged the rule-judged measures, and its profile (Charte art. 8):
   * the version the domain's signatory accepted when a registry was given, else the 2015 annex.
   * Absent from reports stored before it existed (they were judged under charter-2015).
   */
  readonly charter?: AppliedAnnex;
}

/** Which annex judged a report: the charter version, its profile, and where the choice came from. */
export interface AppliedAnnex {
  readonly version: string;
  readonly profile: string;
  /** registry: the version the signatory accepted; default: no registry said otherwise (2015). */
  readonly from: "registry" | "default";
}

/** The annex an audit is judged under: the version and its profile's rules. */
export interface AnnexChoice {
  readonly version: string;
  readonly from: AppliedAnnex["from"];
  readonly profile: Profile;
}

export const defaultAnnex: AnnexChoice = { version: "2015", from: "default", profile: charter2015 };

export interface AuditOptions extends ProbeOptions {
  readonly territory: Territory;
  readonly overrides?: readonly Omit<DiscoveredEndpoint, "foundBy">[];
  readonly conventionalNames?: boolean;
  /** Profiles to report (default: all of profiles.ts). */
  readonly profiles?: readonly Profile[];
  /** The annex to judge under (default the 2015 annex, charter-2015). */
  readonly annex?: AnnexChoice;
  /** Pause before STARTTLS refused with 454 on an MX is asked again (default limits.starttlsRetryPauseMs). */
  readonly starttlsRetryPauseMs?: number;
  /** Reads the latest outbound test of a domain (mx.outbound-tls), when a store is given. */
  readonly outbound?: OutboundLookup;
  /** Called as work progresses, for the terminal's progress display. */
  readonly onProgress?: (event: {
    readonly domain: string;
    readonly done: number;
    readonly total: number;
    readonly what: string;
  }) => void;
}

/** STARTTLS advertised, then answered 454 (RFC 3207 §4): temporary, worth one more try. */
const starttlsRefused = (r: EndpointReport) =>
  r.service === "smtp" && r.error?.step === "starttls" && r.error.reason === "rejected";

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Probes an endpoint; an MX address whose STARTTLS was refused with 454 is asked once more after a
 * pause, and the second answer is kept (its stats count both attempts).
 */
async function probeWithRetry(
  endpoint: DiscoveredEndpoint,
  options: ProbeOptions,
  network: Network,
  pauseMs: number,
): Promise<EndpointReport[]> {
  const first = await probeEndpoint(endpoint, options, network);
  if (!first.some(starttlsRefused)) return first;
  await pause(pauseMs);
  const again = await probeEndpoint(endpoint, options, network);
  return first.map((before) => {
    if (!starttlsRefused(before)) return before;
    const after = again.find((r) => r.address === before.address);
    if (!after) return before;
    return {
      ...after,
      stats: {
        connections: before.stats.connections + after.stats.connections,
        retries: before.stats.retries + after.stats.retries + 1,
        durationMs: before.stats.durationMs + pauseMs + after.stats.durationMs,
      },
    };
  });
}

/** Each endpoint is probed once per run, even when several MX or domains share it (docs/contract.md §7). */
export class ProbeCache {
  private readonly cache = new Map<string, Promise<EndpointReport[]>>();
  get(
    endpoint: DiscoveredEndpoint,
    options: ProbeOptions,
    network: Network,
    pauseMs: number = limits.starttlsRetryPauseMs,
  ): Promise<EndpointReport[]> {
    const key = `${endpoint.host}|${endpoint.port}|${endpoint.tlsMode}|${endpoint.service}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = probeWithRetry(endpoint, options, network, pauseMs);
      this.cache.set(key, pending);
    }
    return pending;
  }
}

const isMx = (e: { foundBy: readonly FoundBy[] }) =>
  e.foundBy.includes("mx") || e.foundBy.includes("implicit-mx");
const declared = (e: { foundBy: readonly FoundBy[] }) =>
  e.foundBy.some((f) => f.startsWith("srv:") || f === "override");

/**
 * The endpoints as the measures see them: every MX address (port 25), and the access services
 * (webmail aside) with whether they were declared. The audit and the re-judgement of a stored report
 * (annex/rejudge.ts) sort them alike.
 */
export function endpointRoles(endpoints: readonly AuditedEndpoint[]): {
  mx: AuditedEndpoint[];
  access: AccessEndpoint[];
} {
  return {
    mx: endpoints.filter((e) => isMx(e)),
    access: endpoints
      .filter((e) => !isMx(e) && e.service !== "https" && e.service !== "smtp")
      .map((report) => ({ report, declared: declared(report) })),
  };
}

/** A promise started ahead of the await that reads it: its rejection waits for that await. */
function early<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

const endpointKey = (e: { host: string; port: number }) => `${e.host}:${e.port}`;

/**
 * Every step starts as soon as what it needs is known, so a domain takes about as long as its slowest
 * chain, not the sum of its steps: DNS policy records, DNSSEC, autoconfig and discovery at once; each
 * endpoint's probe as soon as discovery (or autoconfig) names it; a webmail's fetches as soon as its
 * probe shows the host answers; the MTA-STS policy as soon as its TXT record is in; TLSA as soon as
 * the MX hosts are. The per-host connection cap (HostLimiter) still bounds what reaches one server.
 */
export async function auditDomain(
  domain: string,
  options: AuditOptions,
  network: Network,
  cache = new ProbeCache(),
): Promise<AuditReport> {
  const startedAt = new Date(network.clock.now()).toISOString();
  // One deadline for the domain: every probe and fetch ends by it, so a slow server bounds the audit.
  const deadline = endpointDeadline(options, network);
  const probeOptions: ProbeOptions = { ...options, within: deadline };
  const timeout = options.stepTimeoutMs;
  const fetchOptions = { stepTimeoutMs: timeout, trustStore: options.trustStore, deadline };
  const named = domain.toLowerCase().replace(/\.$/, "");
  const pauseMs = options.starttlsRetryPauseMs ?? limits.starttlsRetryPauseMs;
  const annex = options.annex ?? defaultAnnex;

  const discovering = early(
    discover(domain, network.resolver, {
      timeoutMs: timeout,
      ...(options.overrides ? { overrides: options.overrides } : {}),
      ...(options.conventionalNames !== undefined ? { conventionalNames: options.conventionalNames } : {}),
    }),
  );
  const autoconfiguring = early(fetchAutoconfig(named, network, fetchOptions));
  const policyRecords = early(
    Promise.all([
      network.resolver.txt(named, timeout),
      network.resolver.txt(`_dmarc.${named}`, timeout),
      network.resolver.txt(`_smtp._tls.${named}`, timeout),
      network.resolver.txt(`_mta-sts.${named}`, timeout),
    ]),
  );
  const dnssecAsked = early(network.resolver.secure(named, "MX", timeout));
  // A store that cannot be read is said in the evidence of mx.outbound-tls, not an audit failure.
  const outboundRead: Promise<OutboundRead> | undefined = options.outbound
    ?.call(undefined, named)
    .catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
  // RFC 8461 §3.3: the policy is fetched only when a v=STSv1 record says there is one.
  const stsFetched = early(
    policyRecords.then(([, , , stsTxt]) =>
      stsTxt.ok && stsTxt.value.some((r) => r.startsWith("v=STSv1;"))
        ? fetchStsPolicy(named, network, fetchOptions)
        : null,
    ),
  );

  // Probes, keyed by host and port (one per endpoint, whoever names it first); webmail fetches by host.
  const probes = new Map<string, Promise<EndpointReport[]>>();
  const webmailFetches = new Map<string, Promise<WebmailFetch>>();
  let done = 0;
  let total = 0;
  const startProbe = (endpoint: DiscoveredEndpoint) => {
    if (probes.has(endpointKey(endpoint))) return;
    total++;
    const probing = cache.get(endpoint, probeOptions, network, pauseMs).then((reports) => {
      options.onProgress?.({ domain: named, done: ++done, total, what: `${endpoint.host}:${endpoint.port}` });
      // A webmail is fetched once its host is known to answer (not for a DNS or connect failure).
      const answers = reports.some((e) => e.error?.step !== "dns" && e.error?.step !== "connect");
      if (endpoint.service === "https" && answers && !webmailFetches.has(endpoint.host)) {
        const host = endpoint.host;
        webmailFetches.set(
          host,
          early(
            Promise.all([
              httpFetch(`http://${host}/`, network, fetchOptions),
              httpFetch(`https://${host}/`, network, fetchOptions),
            ]).then(([fromHttp, fromHttps]) => ({ host, fromHttp, fromHttps })),
          ),
        );
      }
      return reports;
    });
    probes.set(endpointKey(endpoint), early(probing));
  };

  const discovery = await discovering;
  const d = discovery.domain;
  for (const endpoint of discovery.endpoints) startProbe(endpoint);
  // The territory's bundled table takes a moment of CPU to load (once per process): load it while the
  // probes wait on the network rather than after them (the address is a documentation one, RFC 5737).
  setImmediate(() => options.territory.locate("192.0.2.0"));
  const mxHosts = discovery.mx.hosts.map((h) => h.host);
  const tlsaAsked = early(
    Promise.all(mxHosts.map((host) => network.resolver.secure(`_25._tcp.${host}`, "TLSA", timeout))),
  );

  const autoconfig = await autoconfiguring;
  const toProbe = [...discovery.endpoints];
  for (const server of autoconfig.found?.servers ?? []) {
    const endpoint = endpointOfServer(server);
    if (!endpoint) continue;
    const known = toProbe.find((e) => e.host === endpoint.host && e.port === endpoint.port);
    if (known) toProbe[toProbe.indexOf(known)] = { ...known, foundBy: [...known.foundBy, "autoconfig"] };
    else {
      const added: DiscoveredEndpoint = { ...endpoint, foundBy: ["autoconfig"] };
      toProbe.push(added);
      startProbe(added);
    }
  }
  const probed = await Promise.all(
    toProbe.map(async (endpoint) => {
      const reports = (await probes.get(endpointKey(endpoint))) ?? [];
      return reports.map((report): AuditedEndpoint => ({ ...report, foundBy: endpoint.foundBy }));
    }),
  );
  const endpoints = probed.flat();

  const { mx, access } = endpointRoles(endpoints);

  // In the order of the endpoints, as before the fetches ran early.
  const webHosts = [...new Set(endpoints.filter((e) => e.service === "https").map((e) => e.host))].filter(
    (host) => webmailFetches.has(host),
  );
  const webmail: WebmailFetch[] = await Promise.all(
    webHosts.map((host) => webmailFetches.get(host) as Promise<WebmailFetch>),
  );

  const [spfTxt, dmarcTxt, rptTxt, stsTxt] = await policyRecords;
  const dnssecAnswer = await dnssecAsked;
  const tlsaAnswers = await tlsaAsked;
  const tlsa = new Map(
    mxHosts.map((host, i) => [
      host,
      tlsaAnswers[i] ?? { ok: false as const, reason: "error" as const, message: "not asked" },
    ]),
  );
  const stsPolicy = await stsFetched;

  const facts: AuditFacts = {
    domain: d,
    mx: discovery.mx,
    mxEndpoints: mx,
    access,
    webmail,
    lookupFailures: discovery.failures,
    dns: {
      spf: spfTxt,
      dmarc: dmarcTxt,
      tlsRpt: rptTxt,
      mtaSts: stsTxt,
      dnssec: dnssecAnswer ?? { ok: false, reason: "error", message: "not asked" },
      tlsa,
      resolver: network.resolver.description,
    },
    stsPolicy,
    autoconfig,
    territory: options.territory,
    starttlsRetryPauseMs: pauseMs,
    ...(outboundRead ? { outbound: await outboundRead } : {}),
    annex: annex.profile,
  };
  const measures: MeasureResult[] = judgeAll(facts);
  return {
    schema: auditSchema,
    domain: d,
    startedAt,
    finishedAt: new Date(network.clock.now()).toISOString(),
    verdict: verdictOf(measures),
    measures,
    endpoints,
    discovery: { mx: discovery.mx, notes: discovery.notes, failures: discovery.failures },
    profiles: (options.profiles ?? profiles).map((p) => evaluateProfile(p, endpoints)),
    charter: { version: annex.version, profile: annex.profile.id, from: annex.from },
  };
}
