/**
 * Everything the measures judge, as collected by the audit (audit.ts): the discovery, the probed
 * endpoints sorted by role, the webmail fetches, the DNS policy records, the MTA-STS policy and the
 * autoconfig file. Plain data: unit tests build it by hand.
 */
import type { SecureAnswer } from "../../net/dns-secure.js";
import type { DnsAnswer } from "../../net/resolver.js";
import type { AutoconfigLookup } from "../discovery/autoconfig.js";
import type { LookupFailure, MxDiscovery } from "../discovery/discovery.js";
import type { EndpointReport } from "../probe/endpoint.js";
import type { HttpFetchResult } from "../probe/http-fetch.js";
import type { Profile } from "../profiles/profile.js";
import type { OutboundRead } from "./outbound-facts.js";
import type { Territory } from "./territory.js";

export interface AccessEndpoint {
  readonly report: EndpointReport;
  /** Found by SRV or override (a declared service), not only by a conventional name. */
  readonly declared: boolean;
}

export interface WebmailFetch {
  readonly host: string;
  readonly fromHttp: HttpFetchResult;
  readonly fromHttps: HttpFetchResult;
}

export type { LookupFailure } from "../discovery/discovery.js";

export type TxtAnswer = DnsAnswer<readonly string[]>;

export interface AuditFacts {
  readonly domain: string;
  readonly mx: MxDiscovery;
  /** Every address of every MX host, probed on port 25. */
  readonly mxEndpoints: readonly EndpointReport[];
  readonly access: readonly AccessEndpoint[];
  readonly webmail: readonly WebmailFetch[];
  /** Discovery lookups that failed: the services they would have named are not proven absent. */
  readonly lookupFailures: readonly LookupFailure[];
  readonly dns: {
    readonly spf: TxtAnswer;
    readonly dmarc: TxtAnswer;
    readonly tlsRpt: TxtAnswer;
    readonly mtaSts: TxtAnswer;
    /** The domain's MX asked with DNSSEC OK: whether the resolver validated it. */
    readonly dnssec: DnsAnswer<SecureAnswer>;
    /** `_25._tcp.<mx>` TLSA answers, by MX host. */
    readonly tlsa: ReadonlyMap<string, DnsAnswer<SecureAnswer>>;
    /** Where the answers come from ("system", "127.0.10.54:53"), for the evidence. */
    readonly resolver: string;
  };
  /** The MTA-STS policy fetch, when the TXT record asked for one. */
  readonly stsPolicy: HttpFetchResult | null;
  readonly autoconfig: AutoconfigLookup;
  readonly territory: Territory;
  /** The pause before STARTTLS refused with 454 was asked again (for the evidence). */
  readonly starttlsRetryPauseMs: number;
  /** The latest outbound test of the domain (null: none yet; absent: no store was given). */
  readonly outbound?: OutboundRead;
  /** The profile of the annex the domain is judged under (measures/annex-measures.ts; default charter-2015). */
  readonly annex?: Profile;
}
