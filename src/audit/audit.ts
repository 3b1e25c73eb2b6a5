/**
 * The charter audit of one mail domain (docs/contract.md §3, §4): discovery, probes (each endpoint once per run,
 * whatever the number of domains or MX sharing it), webmail fetches, DNS policy records, measures,
 * verdict. Measures never open sockets: they judge the reports collected here.
 */
import type { Network } from "../net/network.js";
import { endpointOfServer, fetchAutoconfig } from "./discovery/autoconfig.js";
import { type DiscoveredEndpoint, type Discovery, discover, type FoundBy } from "./discovery/discovery.js";
import { fetchStsPolicy } from "./discovery/mta-sts-fetch.js";
import { type AccessEndpoint, accessMeasures } from "./measures/access.js";
import {
  autoconfigMeasure,
  dane,
  dmarc,
  dnssec,
  mtaSts,
  notYetMeasured,
  spf,
  tlsRpt,
} from "./measures/beyond.js";
import { type MeasureResult, type Verdict, verdictOf } from "./measures/measure.js";
import {
  mxCertificate,
  mxCipher,
  mxHash,
  mxKeyExchange,
  mxStarttls,
  mxTerritory,
  mxTlsVersion,
} from "./measures/mx.js";
import type { Territory } from "./measures/territory.js";
import { type WebmailFetch, webmailMeasures } from "./measures/webmail.js";
import type { EndpointReport } from "./probe/endpoint.js";
import { httpFetch } from "./probe/http-fetch.js";
import { type ProbeOptions, probeEndpoint } from "./probe/probe-endpoint.js";
import { evaluateProfile, type ProfileResult } from "./profiles/evaluate.js";
import type { Profile } from "./profiles/profile.js";
import { profiles } from "./profiles/profiles.js";

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
  readonly discovery: { readonly mx: Discovery["mx"]; readonly notes: readonly string[] };
  /** TLS profiles evaluated on every TLS endpoint, reported beside the charter verdict. */
  readonly profiles: readonly ProfileResult[];
}

export interface AuditOptions extends ProbeOptions {
  readonly territory: Territory;
  readonly overrides?: readonly Omit<DiscoveredEndpoint, "foundBy">[];
  readonly conventionalNames?: boolean;
  /** Profiles to report (default: all of profiles.ts). */
  readonly profiles?: readonly Profile[];
  /** Called as work progresses, for the terminal's progress display. */
  readonly onProgress?: (event: {
    readonly domain: string;
    readonly done: number;
    readonly total: number;
    readonly what: string;
  }) => void;
}

/** Each endpoint is probed once per run, even when several MX or domains share it (docs/contract.md §7). */
export class ProbeCache {
  private readonly cache = new Map<string, Promise<EndpointReport[]>>();
  get(endpoint: DiscoveredEndpoint, options: ProbeOptions, network: Network): Promise<EndpointReport[]> {
    const key = `${endpoint.host}|${endpoint.port}|${endpoint.tlsMode}|${endpoint.service}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = probeEndpoint(endpoint, options, network);
      this.cache.set(key, pending);
    }
    return pending;
  }
}

const isMx = (e: { foundBy: readonly FoundBy[] }) =>
  e.foundBy.includes("mx") || e.foundBy.includes("implicit-mx");
const declared = (e: { foundBy: readonly FoundBy[] }) =>
  e.foundBy.some((f) => f.startsWith("srv:") || f === "override");

export async function auditDomain(
  domain: string,
  options: AuditOptions,
  network: Network,
  cache = new ProbeCache(),
): Promise<AuditReport> {
  const startedAt = new Date(network.clock.now()).toISOString();
  const discovery = await discover(domain, network.resolver, {
    timeoutMs: options.stepTimeoutMs,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.conventionalNames !== undefined ? { conventionalNames: options.conventionalNames } : {}),
  });
  const d = discovery.domain;
  const fetchOptions = { stepTimeoutMs: options.stepTimeoutMs, trustStore: options.trustStore };
  const autoconfig = await fetchAutoconfig(d, network, fetchOptions);
  const toProbe = [...discovery.endpoints];
  for (const server of autoconfig?.servers ?? []) {
    const endpoint = endpointOfServer(server);
    if (!endpoint) continue;
    const known = toProbe.find((e) => e.host === endpoint.host && e.port === endpoint.port);
    if (known) toProbe[toProbe.indexOf(known)] = { ...known, foundBy: [...known.foundBy, "autoconfig"] };
    else toProbe.push({ ...endpoint, foundBy: ["autoconfig"] });
  }
  let done = 0;
  const total = toProbe.length;
  const probed = await Promise.all(
    toProbe.map(async (endpoint) => {
      const reports = await cache.get(endpoint, options, network);
      options.onProgress?.({ domain: d, done: ++done, total, what: `${endpoint.host}:${endpoint.port}` });
      return reports.map((report): AuditedEndpoint => ({ ...report, foundBy: endpoint.foundBy }));
    }),
  );
  const endpoints = probed.flat();

  const mx = endpoints.filter((e) => isMx(e));
  const access: AccessEndpoint[] = endpoints
    .filter((e) => !isMx(e) && e.service !== "https" && e.service !== "smtp")
    .map((report) => ({ report, declared: declared(report) }));

  const webHosts = [
    ...new Set(
      endpoints
        .filter((e) => e.service === "https" && e.error?.step !== "dns" && e.error?.step !== "connect")
        .map((e) => e.host),
    ),
  ];
  const webmail: WebmailFetch[] = await Promise.all(
    webHosts.map(async (host) => ({
      host,
      fromHttp: await httpFetch(`http://${host}/`, network, fetchOptions),
      fromHttps: await httpFetch(`https://${host}/`, network, fetchOptions),
    })),
  );

  const timeout = options.stepTimeoutMs;
  const [spfTxt, dmarcTxt, rptTxt, stsTxt] = await Promise.all([
    network.resolver.txt(d, timeout),
    network.resolver.txt(`_dmarc.${d}`, timeout),
    network.resolver.txt(`_smtp._tls.${d}`, timeout),
    network.resolver.txt(`_mta-sts.${d}`, timeout),
  ]);
  const mxHosts = discovery.mx.hosts.map((h) => h.host);
  const [dnssecAnswer, ...tlsaAnswers] = await Promise.all([
    network.resolver.secure(d, "MX", timeout),
    ...mxHosts.map((host) => network.resolver.secure(`_25._tcp.${host}`, "TLSA", timeout)),
  ]);
  const tlsa = new Map(
    mxHosts.map((host, i) => [
      host,
      tlsaAnswers[i] ?? { ok: false as const, reason: "error" as const, message: "not asked" },
    ]),
  );
  const stsPolicy =
    stsTxt.ok && stsTxt.value.some((r) => r.startsWith("v=STSv1;"))
      ? await fetchStsPolicy(d, network, fetchOptions)
      : null;

  const noMx = discovery.mx.kind === "null";
  const measures: MeasureResult[] = [
    ...accessMeasures(access),
    ...webmailMeasures(webmail),
    mxStarttls(mx, noMx),
    mxTlsVersion(mx),
    mxCipher(mx),
    mxKeyExchange(mx),
    mxHash(mx),
    mxCertificate(mx),
    mxTerritory(mx, options.territory),
    mtaSts(
      d,
      stsTxt,
      stsPolicy,
      discovery.mx.hosts.map((h) => h.host),
    ),
    tlsRpt(d, rptTxt),
    spf(d, spfTxt),
    dmarc(d, dmarcTxt),
    autoconfigMeasure(d, autoconfig),
    dane(mxHosts, tlsa, mx),
    dnssec(
      d,
      dnssecAnswer ?? { ok: false, reason: "error", message: "not asked" },
      network.resolver.description,
    ),
    ...notYetMeasured(),
  ];
  if (discovery.mx.kind === "none" || discovery.mx.kind === "error") {
    // No MX could be found: the MX measures cannot pass.
    for (const [i, m] of measures.entries()) {
      if (m.id.startsWith("mx.") && m.charter && m.status === "not_applicable") {
        measures[i] = {
          ...m,
          status: "error",
          summary: { fr: "Indéterminé : aucun MX trouvé", en: "Could not be determined: no MX host found" },
          evidence: [{ endpoint: d, status: "error", observed: discovery.mx.message ?? "no MX host found" }],
        };
      }
    }
  }
  return {
    schema: auditSchema,
    domain: d,
    startedAt,
    finishedAt: new Date(network.clock.now()).toISOString(),
    verdict: verdictOf(measures),
    measures,
    endpoints,
    discovery: { mx: discovery.mx, notes: discovery.notes },
    profiles: (options.profiles ?? profiles).map((p) => evaluateProfile(p, endpoints)),
  };
}
