/** What the profile rules and the measures know of one probed endpoint's TLS, derived from its report. */
import type { EndpointReport } from "../probe/endpoint.js";
import { type CipherSuite, type ReportedVersion, suiteByName } from "../tls/cipher-suites.js";

export interface TlsFacts {
  /** Versions accepted: from the enumeration, else only the negotiated one. */
  readonly versions: readonly ReportedVersion[];
  /** Accepted suites per version, in the server's order when it imposes one. */
  readonly suitesByVersion: ReadonlyArray<{
    readonly version: ReportedVersion;
    readonly suites: readonly CipherSuite[];
    readonly serverOrder: boolean | null;
  }>;
  readonly all: readonly CipherSuite[];
  /** The enumeration ran to its end (else old versions or weak suites may hide). */
  readonly complete: boolean;
}

export function tlsFacts(e: EndpointReport): TlsFacts | null {
  const tls = e.tls;
  if (!tls) return null;
  const enumeration = tls.enumeration;
  if (tls.versions && tls.cipherSuites && enumeration) {
    const suitesByVersion = tls.versions.map((version) => ({
      version,
      suites:
        version === "SSLv2" ? [] : (tls.cipherSuites?.[version] ?? []).flatMap((n) => suiteByName(n) ?? []),
      serverOrder: version === "SSLv2" ? null : (enumeration.serverPreferenceByVersion[version] ?? null),
    }));
    const all = [...new Map(suitesByVersion.flatMap((v) => v.suites).map((s) => [s.code, s])).values()];
    return {
      versions: tls.versions,
      suitesByVersion,
      all,
      complete: enumeration.complete && !enumeration.quick,
    };
  }
  const negotiated = tls.negotiated;
  const suite = negotiated ? suiteByName(negotiated.cipherSuite) : undefined;
  const version = negotiated?.version as ReportedVersion | undefined;
  return {
    versions: version ? [version] : [],
    suitesByVersion: version && suite ? [{ version, suites: [suite], serverOrder: null }] : [],
    all: suite ? [suite] : [],
    complete: false,
  };
}

/**
 * Whether, where the server accepts both `good` and `bad` suites, it chooses a good one: per version,
 * "chosen" when the server imposes its order and ranks a good suite first, "client" when the client's
 * order decides, "bad-first" when the server prefers a bad one.
 */
export function preference(
  facts: TlsFacts,
  good: (s: CipherSuite) => boolean,
  bad: (s: CipherSuite) => boolean,
  versions?: readonly ReportedVersion[],
): "no-bad" | "chosen" | "client" | "bad-first" {
  let result: "no-bad" | "chosen" | "client" | "bad-first" = "no-bad";
  for (const v of facts.suitesByVersion.filter((x) => !versions || versions.includes(x.version))) {
    const firstGood = v.suites.findIndex(good);
    const firstBad = v.suites.findIndex(bad);
    if (firstBad === -1) continue;
    if (firstGood === -1 || (v.serverOrder === true && firstBad < firstGood)) return "bad-first";
    if (v.serverOrder === true) result = result === "client" ? "client" : "chosen";
    else result = "client";
  }
  return result;
}
