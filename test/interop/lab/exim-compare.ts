/** mailcharter's enumeration beside sslscan's on the same TLS configuration (the Exim tests). */
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";
import { type ProtocolVersion, suiteByName, suiteName } from "../../../src/audit/tls/cipher-suites.js";
import type { SslscanView } from "../sslscan.js";

/**
 * Where mailcharter's enumeration differs from sslscan's: other versions, a suite sslscan accepted
 * and mailcharter did not report, or a suite only mailcharter reports although the local OpenSSL
 * (hence sslscan) could offer it, or another DH group size.
 */
export function differences(
  report: EndpointReport,
  truth: SslscanView,
  openssl: ReadonlySet<number>,
): string[] {
  const tls = report.tls;
  const found: string[] = [];
  const versions = [...(tls?.versions ?? [])];
  if (JSON.stringify(versions) !== JSON.stringify(truth.versions))
    found.push(`versions ${versions.join(",")} vs sslscan ${truth.versions.join(",")}`);
  for (const version of truth.versions) {
    const ours = new Set(
      (tls?.cipherSuites?.[version as ProtocolVersion] ?? []).map((n) => suiteByName(n)?.code),
    );
    const theirs = truth.suites[version] ?? [];
    const missed = theirs.filter((c) => !ours.has(c));
    if (missed.length > 0) found.push(`${version}: missed ${missed.map(suiteName).join(", ")}`);
    const extra = [...ours].filter(
      (c): c is number => c !== undefined && !theirs.includes(c) && openssl.has(c),
    );
    if (extra.length > 0) found.push(`${version}: sslscan refused ${extra.map(suiteName).join(", ")}`);
  }
  // The DH group size of the DHE suites (sslscan: dhebits), wherever one was accepted.
  const dhe = / dhebits="(\d+)"/.exec(truth.xml)?.[1];
  if (dhe !== undefined && tls?.enumeration?.dhBits !== Number(dhe))
    found.push(`dhBits ${tls?.enumeration?.dhBits} vs sslscan ${dhe}`);
  return found;
}

/** One line per endpoint for the test log: what mailcharter reported and what it cost. */
export function summary(r: EndpointReport): string {
  const e = r.tls?.enumeration;
  const suites = Object.entries(r.tls?.cipherSuites ?? {})
    .map(([v, s]) => `${v}:${s?.length ?? 0}`)
    .join(" ");
  return `${r.host}:${r.port} complete=${e?.complete} throttled=${e?.throttled} connections=${r.stats.connections} retries=${r.stats.retries} ${r.stats.durationMs} ms versions=${r.tls?.versions?.join(",")} suites=${suites} dhBits=${e?.dhBits} error=${r.error?.reason ?? "none"}`;
}
