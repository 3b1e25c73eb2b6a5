/**
 * Discovery of a mail domain's endpoints (docs/contract.md §2): MX hosts (RFC 5321 §5.1: no MX means an implicit
 * MX on the domain's own address; RFC 7505: a single "0 ." MX means no mail), user-access services
 * through SRV (RFC 6186, RFC 8314 §5.1 `_submissions`), then conventional names, then explicit
 * overrides. Every endpoint records how it was found. Pure over the Resolver of the network seam.
 */

import { limits } from "../../core/limits.js";
import type { DnsFailureReason, Resolver } from "../../net/resolver.js";
import type { TlsMode } from "../dialogue/dialogue.js";
import type { Service } from "../probe/services.js";

export type FoundBy =
  | "mx"
  | "implicit-mx"
  | `srv:${string}`
  | "conventional-name"
  | "autoconfig"
  | "override";

export interface DiscoveredEndpoint {
  readonly host: string;
  readonly port: number;
  readonly service: Service;
  readonly tlsMode: TlsMode;
  readonly foundBy: readonly FoundBy[];
}

export interface MxDiscovery {
  /** "mx": MX records; "implicit": no MX, the domain's A/AAAA; "null": RFC 7505; "none": nothing. */
  readonly kind: "mx" | "implicit" | "null" | "none" | "error";
  readonly hosts: ReadonlyArray<{ readonly host: string; readonly priority: number }>;
  readonly message?: string;
  /** MX hosts past limits.maxMxHosts (lowest preference last): listed, never probed. */
  readonly omitted?: readonly string[];
}

/** A lookup that failed without proving absence (SERVFAIL, timeout, refused): what it would have found is unknown. */
export interface LookupFailure {
  readonly name: string;
  readonly reason: DnsFailureReason;
  readonly message: string;
}

export interface Discovery {
  readonly domain: string;
  readonly mx: MxDiscovery;
  readonly endpoints: readonly DiscoveredEndpoint[];
  readonly notes: readonly string[];
  /** SRV and conventional-name lookups that failed: their services are not proven absent. */
  readonly failures: readonly LookupFailure[];
}

/** NXDOMAIN and NODATA prove absence; every other failure proves nothing. */
const provesAbsence = (reason: DnsFailureReason) => reason === "not_found" || reason === "no_data";

/** RFC 6186 §3 and RFC 8314 §5.1 service labels. */
const srvLabels: ReadonlyArray<{ label: string; service: Service; tlsMode: TlsMode }> = [
  { label: "_submissions._tcp", service: "submission", tlsMode: "implicit" },
  { label: "_submission._tcp", service: "submission", tlsMode: "starttls" },
  { label: "_imaps._tcp", service: "imap", tlsMode: "implicit" },
  { label: "_imap._tcp", service: "imap", tlsMode: "starttls" },
  { label: "_pop3s._tcp", service: "pop3", tlsMode: "implicit" },
  { label: "_pop3._tcp", service: "pop3", tlsMode: "starttls" },
];

/** Conventional host names and the ports tried on each. */
const conventional: ReadonlyArray<{
  prefix: string;
  ports: ReadonlyArray<{ port: number; service: Service; tlsMode: TlsMode }>;
}> = [
  {
    prefix: "imap",
    ports: [
      { port: 993, service: "imap", tlsMode: "implicit" },
      { port: 143, service: "imap", tlsMode: "starttls" },
    ],
  },
  {
    prefix: "pop",
    ports: [
      { port: 995, service: "pop3", tlsMode: "implicit" },
      { port: 110, service: "pop3", tlsMode: "starttls" },
    ],
  },
  {
    prefix: "pop3",
    ports: [
      { port: 995, service: "pop3", tlsMode: "implicit" },
      { port: 110, service: "pop3", tlsMode: "starttls" },
    ],
  },
  {
    prefix: "smtp",
    ports: [
      { port: 465, service: "submission", tlsMode: "implicit" },
      { port: 587, service: "submission", tlsMode: "starttls" },
    ],
  },
  {
    prefix: "mail",
    ports: [
      { port: 993, service: "imap", tlsMode: "implicit" },
      { port: 143, service: "imap", tlsMode: "starttls" },
      { port: 995, service: "pop3", tlsMode: "implicit" },
      { port: 110, service: "pop3", tlsMode: "starttls" },
      { port: 465, service: "submission", tlsMode: "implicit" },
      { port: 587, service: "submission", tlsMode: "starttls" },
    ],
  },
  {
    prefix: "webmail",
    ports: [
      { port: 443, service: "https", tlsMode: "implicit" },
      { port: 80, service: "https", tlsMode: "none" },
    ],
  },
];

const bare = (name: string) => name.toLowerCase().replace(/\.$/, "");

export interface DiscoverOptions {
  readonly timeoutMs: number;
  /** Explicit endpoints (command line or config) for services discovery cannot find. */
  readonly overrides?: readonly Omit<DiscoveredEndpoint, "foundBy">[];
  /** Try the conventional names (imap., pop., smtp., mail., webmail.). */
  readonly conventionalNames?: boolean;
}

async function discoverMx(domain: string, resolver: Resolver, timeoutMs: number): Promise<MxDiscovery> {
  const answer = await resolver.mx(domain, timeoutMs);
  if (answer.ok) {
    const records = [...answer.value].sort((a, b) => a.priority - b.priority);
    // RFC 7505 §3: a single MX with an empty exchange ("." ) means the domain accepts no mail.
    if (records.length === 1 && bare(records[0]?.exchange ?? "") === "") return { kind: "null", hosts: [] };
    const hosts = [
      ...new Map(
        records.filter((r) => bare(r.exchange) !== "").map((r) => [bare(r.exchange), r.priority] as const),
      ),
    ].map(([host, priority]) => ({ host, priority }));
    // Bounded: a zone cannot make us probe a list of hosts. The most preferred are kept.
    const kept = hosts.slice(0, limits.maxMxHosts);
    const omitted = hosts.slice(limits.maxMxHosts).map((h) => h.host);
    return { kind: "mx", hosts: kept, ...(omitted.length > 0 ? { omitted } : {}) };
  }
  if (answer.reason === "no_data") {
    // RFC 5321 §5.1: no MX, the domain itself is the implicit MX if it has an address.
    const addresses = await resolver.addresses(domain, timeoutMs);
    if (addresses.ok) return { kind: "implicit", hosts: [{ host: domain, priority: 0 }] };
    return provesAbsence(addresses.reason)
      ? { kind: "none", hosts: [], message: `${domain} has no MX and no address` }
      : { kind: "error", hosts: [], message: addresses.message };
  }
  if (answer.reason === "not_found") return { kind: "none", hosts: [], message: `${domain} does not exist` };
  return { kind: "error", hosts: [], message: answer.message };
}

export async function discover(
  domainInput: string,
  resolver: Resolver,
  options: DiscoverOptions,
): Promise<Discovery> {
  const domain = bare(domainInput);
  const notes: string[] = [];
  const failures: LookupFailure[] = [];
  const failed = (name: string, answer: { ok: false; reason: DnsFailureReason; message: string }) => {
    if (!provesAbsence(answer.reason))
      failures.push({ name, reason: answer.reason, message: answer.message });
  };
  const found = new Map<string, { endpoint: Omit<DiscoveredEndpoint, "foundBy">; foundBy: FoundBy[] }>();
  const add = (endpoint: Omit<DiscoveredEndpoint, "foundBy">, by: FoundBy) => {
    const key = `${endpoint.host}:${endpoint.port}`;
    const existing = found.get(key);
    if (existing) {
      if (!existing.foundBy.includes(by)) existing.foundBy.push(by);
    } else {
      found.set(key, { endpoint: { ...endpoint, host: bare(endpoint.host) }, foundBy: [by] });
    }
  };

  const mx = await discoverMx(domain, resolver, options.timeoutMs);
  if (mx.message) notes.push(`MX: ${mx.message}`);
  if (mx.omitted)
    notes.push(
      `MX: ${mx.hosts.length + mx.omitted.length} hosts, only the ${limits.maxMxHosts} most preferred probed; not probed: ${mx.omitted.join(", ")}`,
    );
  for (const { host } of mx.hosts) {
    add(
      { host, port: 25, service: "smtp", tlsMode: "starttls" },
      mx.kind === "implicit" ? "implicit-mx" : "mx",
    );
  }

  const srv = await Promise.all(
    srvLabels.map(async (s) => ({
      s,
      answer: await resolver.srv(`${s.label}.${domain}`, options.timeoutMs),
    })),
  );
  for (const { s, answer } of srv) {
    if (!answer.ok) {
      failed(`${s.label}.${domain}`, answer);
      continue;
    }
    // RFC 2782: lowest priority first, then highest weight; at most limits.maxSrvTargetsPerLabel.
    const records = [...answer.value].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
    if (records.length > limits.maxSrvTargetsPerLabel) {
      const left = records.splice(limits.maxSrvTargetsPerLabel);
      notes.push(
        `${s.label}: ${records.length + left.length} targets, only ${limits.maxSrvTargetsPerLabel} probed; not probed: ${left.map((r) => `${bare(r.name)}:${r.port}`).join(", ")}`,
      );
    }
    for (const record of records) {
      // RFC 6186 §4: a target of "." means the service is not offered.
      if (bare(record.name) === "") {
        notes.push(`${s.label}: explicitly not offered (target ".")`);
        continue;
      }
      add({ host: record.name, port: record.port, service: s.service, tlsMode: s.tlsMode }, `srv:${s.label}`);
    }
  }

  if (options.conventionalNames !== false) {
    const names = await Promise.all(
      conventional.map(async (c) => ({
        c,
        answer: await resolver.addresses(`${c.prefix}.${domain}`, options.timeoutMs),
      })),
    );
    for (const { c, answer } of names) {
      if (!answer.ok) {
        failed(`${c.prefix}.${domain}`, answer);
        continue;
      }
      for (const p of c.ports) add({ host: `${c.prefix}.${domain}`, ...p }, "conventional-name");
    }
  }

  for (const override of options.overrides ?? []) add(override, "override");

  return {
    domain,
    mx,
    endpoints: [...found.values()].map(({ endpoint, foundBy }) => ({ ...endpoint, foundBy })),
    notes,
    failures,
  };
}
