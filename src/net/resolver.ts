/**
 * DNS is part of the network seam. `Resolver` is what every layer above receives; `systemResolver`
 * asks the system's servers or the one given with `--resolver IP[:PORT]`; `fakeResolver` answers
 * from plain data in unit tests.
 */
import { promises as dns, lookup } from "node:dns";
import { isIP } from "node:net";
import { UsageError } from "../core/errors.js";
import { limits } from "../core/limits.js";
import { type SecureAnswer, secureQuery, type TlsaRecord } from "./dns-secure.js";

export type DnsFailureReason = "not_found" | "no_data" | "timeout" | "refused" | "error";

export type DnsAnswer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: DnsFailureReason; readonly message: string };

export interface MxRecord {
  readonly exchange: string;
  readonly priority: number;
}

export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export interface Resolver {
  /** A and AAAA records (IPv4 first), de-duplicated; `not_found` when the name does not exist. */
  addresses(name: string, timeoutMs: number): Promise<DnsAnswer<readonly string[]>>;
  mx(name: string, timeoutMs: number): Promise<DnsAnswer<readonly MxRecord[]>>;
  txt(name: string, timeoutMs: number): Promise<DnsAnswer<readonly string[]>>;
  srv(name: string, timeoutMs: number): Promise<DnsAnswer<readonly SrvRecord[]>>;
  /** A query with DNSSEC OK and the AD bit asked for: TLSA records and whether the answer validated. */
  secure(
    name: string,
    type: "TLSA" | "MX" | "A" | "TXT",
    timeoutMs: number,
  ): Promise<DnsAnswer<SecureAnswer>>;
  /** Where answers come from, for evidence: "system" or "127.0.10.53:53". */
  readonly description: string;
}

/** Parses `IP`, `IP:PORT` or `[IPv6]:PORT` as given to `--resolver`; returns c-ares' server syntax. */
export function parseResolverAddress(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    host = bracketed[1] ?? "";
    port = bracketed[2];
    if (isIP(host) !== 6) throw new UsageError(`--resolver: brackets are for IPv6 addresses, not "${host}"`);
  } else if (isIP(text) === 6) {
    host = text;
  } else {
    const parts = text.split(":");
    if (parts.length > 2) throw new UsageError(`--resolver: cannot parse "${text}" (use [IPv6]:PORT)`);
    host = parts[0] ?? "";
    port = parts[1];
  }
  if (isIP(host) === 0) throw new UsageError(`--resolver: "${host}" is not an IP address`);
  const portNumber = port === undefined ? 53 : Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw new UsageError(`--resolver: port "${port}" is not between 1 and 65535`);
  }
  return isIP(host) === 6 ? `[${host}]:${portNumber}` : `${host}:${portNumber}`;
}

function failureOf(error: unknown): { reason: DnsFailureReason; message: string } {
  const code = (error as { code?: string }).code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ENOTFOUND":
      return { reason: "not_found", message };
    case "ENODATA":
      return { reason: "no_data", message };
    case "ETIMEOUT":
    case "ETIMEDOUT":
      return { reason: "timeout", message };
    case "ECONNREFUSED":
    case "EREFUSED":
      return { reason: "refused", message };
    default:
      return { reason: "error", message };
  }
}

/** Races a query against its timeout; a timed-out query is cancelled. */
async function withTimeout<T>(
  resolver: dns.Resolver,
  timeoutMs: number,
  what: string,
  query: () => Promise<T>,
): Promise<DnsAnswer<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DnsAnswer<T>>((resolve) => {
    timer = setTimeout(() => {
      resolver.cancel();
      resolve({ ok: false, reason: "timeout", message: `DNS ${what}: no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const answer = query().then(
    (value): DnsAnswer<T> => ({ ok: true, value }),
    (error: unknown): DnsAnswer<T> => ({ ok: false, ...failureOf(error) }),
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Addresses as the system finds them: getaddrinfo(3), so /etc/hosts and nsswitch apply like for any
 * other program on the machine (`probe localhost:25` means this machine's localhost). getaddrinfo
 * cannot be cancelled: on a timeout its late answer is ignored.
 */
async function systemAddresses(name: string, timeoutMs: number): Promise<DnsAnswer<readonly string[]>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DnsAnswer<readonly string[]>>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          reason: "timeout",
          message: `lookup ${name}: no answer within ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
  });
  const answer = new Promise<DnsAnswer<readonly string[]>>((resolve) => {
    lookup(name, { all: true, verbatim: true }, (error, found) => {
      if (error) {
        const code = error.code ?? "";
        const failure =
          code === "ENOTFOUND"
            ? { reason: "not_found" as const, message: `${name}: no such host (getaddrinfo ENOTFOUND)` }
            : code === "ENODATA"
              ? { reason: "no_data" as const, message: `${name} has no address (getaddrinfo ENODATA)` }
              : code === "EAI_AGAIN"
                ? { reason: "timeout" as const, message: `lookup ${name}: temporary failure (EAI_AGAIN)` }
                : failureOf(error);
        resolve({ ok: false, ...failure });
      } else {
        // IPv4 first, as the DNS path does; the system's order otherwise.
        const ordered = [...found.filter((a) => a.family === 4), ...found.filter((a) => a.family !== 4)];
        resolve({ ok: true, value: [...new Set(ordered.map((a) => a.address))] });
      }
    });
  });
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A resolver asking the system's servers, or `server` (already parsed by parseResolverAddress). */
export function systemResolver(server?: string): Resolver {
  // One c-ares channel per query: cancel() on a timeout must not cancel sibling queries.
  const channel = (timeoutMs: number): dns.Resolver => {
    const resolver = new dns.Resolver({
      timeout: Math.max(limits.dnsMinTryMs, Math.floor(timeoutMs / limits.dnsTriesPerQuery)),
      tries: limits.dnsTriesPerQuery,
    });
    if (server) resolver.setServers([server]);
    return resolver;
  };
  return {
    description: server ?? "system",
    async addresses(name, timeoutMs) {
      if (!server) return systemAddresses(name, timeoutMs);
      const r4 = channel(timeoutMs);
      const r6 = channel(timeoutMs);
      const [v4, v6] = await Promise.all([
        withTimeout(r4, timeoutMs, `A ${name}`, () => r4.resolve4(name)),
        withTimeout(r6, timeoutMs, `AAAA ${name}`, () => r6.resolve6(name)),
      ]);
      const found = [...(v4.ok ? v4.value : []), ...(v6.ok ? v6.value : [])];
      if (found.length > 0) return { ok: true, value: [...new Set(found)] };
      // Report the more telling failure: an error or timeout beats "no data".
      const failures = [v4, v6].filter((a) => !a.ok);
      const worst =
        failures.find((a) => !a.ok && a.reason !== "no_data" && a.reason !== "not_found") ?? failures[0];
      if (worst && !worst.ok) return worst;
      return { ok: false, reason: "no_data", message: `${name} has no A or AAAA record` };
    },
    async mx(name, timeoutMs) {
      const r = channel(timeoutMs);
      return withTimeout(r, timeoutMs, `MX ${name}`, () => r.resolveMx(name));
    },
    async txt(name, timeoutMs) {
      const r = channel(timeoutMs);
      const answer = await withTimeout(r, timeoutMs, `TXT ${name}`, () => r.resolveTxt(name));
      return answer.ok ? { ok: true, value: answer.value.map((chunks) => chunks.join("")) } : answer;
    },
    async srv(name, timeoutMs) {
      const r = channel(timeoutMs);
      return withTimeout(r, timeoutMs, `SRV ${name}`, () => r.resolveSrv(name));
    },
    async secure(name, type, timeoutMs) {
      const target = server ?? dns.getServers()[0];
      if (!target) return { ok: false, reason: "error", message: "no DNS server configured" };
      return secureQuery(target, name, type, timeoutMs);
    },
  };
}

/** Plain data for a fake resolver: names to records; `fail` names answer with that failure. */
export interface FakeZone {
  readonly A?: Readonly<Record<string, readonly string[]>>;
  readonly AAAA?: Readonly<Record<string, readonly string[]>>;
  readonly MX?: Readonly<Record<string, readonly MxRecord[]>>;
  readonly TXT?: Readonly<Record<string, readonly string[]>>;
  readonly SRV?: Readonly<Record<string, readonly SrvRecord[]>>;
  readonly TLSA?: Readonly<Record<string, readonly TlsaRecord[]>>;
  /** Names whose answers the fake resolver says it validated (AD bit). */
  readonly signed?: readonly string[];
  readonly fail?: Readonly<Record<string, DnsFailureReason>>;
}

/** A resolver answering from data: for unit tests, no network and no time. */
export function fakeResolver(zone: FakeZone): Resolver {
  const key = (name: string) => name.toLowerCase().replace(/\.$/, "");
  const known = (name: string) =>
    [zone.A, zone.AAAA, zone.MX, zone.TXT, zone.SRV, zone.TLSA].some((table) => table && key(name) in table);
  function answer<T>(name: string, table: Readonly<Record<string, T>> | undefined): DnsAnswer<T> {
    const failure = zone.fail?.[key(name)];
    if (failure) return { ok: false, reason: failure, message: `fake DNS: ${failure} for ${name}` };
    const value = table?.[key(name)];
    if (value !== undefined) return { ok: true, value };
    return known(name)
      ? { ok: false, reason: "no_data", message: `fake DNS: no such record for ${name}` }
      : { ok: false, reason: "not_found", message: `fake DNS: ${name} does not exist` };
  }
  return {
    description: "fake",
    async addresses(name) {
      const v4 = answer(name, zone.A);
      const v6 = answer(name, zone.AAAA);
      const found = [...(v4.ok ? v4.value : []), ...(v6.ok ? v6.value : [])];
      if (found.length > 0) return { ok: true, value: found };
      return v4.ok ? { ok: false, reason: "no_data", message: `fake DNS: ${name} has no address` } : v4;
    },
    mx: async (name) => answer(name, zone.MX),
    txt: async (name) => answer(name, zone.TXT),
    srv: async (name) => answer(name, zone.SRV),
    async secure(name, type) {
      const failure = zone.fail?.[key(name)];
      if (failure) return { ok: false, reason: failure, message: `fake DNS: ${failure} for ${name}` };
      const tlsa = type === "TLSA" ? (zone.TLSA?.[key(name)] ?? []) : [];
      const count = type === "TLSA" ? tlsa.length : type === "MX" ? (zone.MX?.[key(name)]?.length ?? 0) : 0;
      return {
        ok: true,
        value: { authenticated: zone.signed?.includes(key(name)) ?? false, rcode: "NOERROR", tlsa, count },
      };
    },
  };
}
