/**
 * The policies of TLS-RPT out (RFC 8460 §4.4), looked up when the reports are generated: the MTA logs
 * say which policy type a session was under only in part (Postfix 3.11's `tls=dane`, an MTA-STS
 * failure), and never carry the policy itself. So, per report:
 *
 * - `policy-string` of an `sts` policy: the lines of the domain's MTA-STS policy, fetched over HTTPS
 *   as the audit fetches it (RFC 8461 §3.3: HTTP 200, no redirect, WebPKI-valid certificate), and
 *   its `mx` patterns as `mx-host`; of a `tlsa` policy: the MX's TLSA records (`_25._tcp.MX`,
 *   RFC 7672 §2.2) in presentation form (`3 1 1 HEX`, RFC 6698 §2.2), only from a DNSSEC-validated
 *   answer (AD bit of the resolver in use) — DANE rests on DNSSEC, an unvalidated record is no policy.
 * - A session the log does not type (Postfix before 3.11, Exim) is typed from what the recipient
 *   domain publishes, for the policies the sending MTA is said to apply (`--applies dane,sts`): DANE
 *   first (RFC 8461 §2: DANE takes precedence), then MTA-STS when the policy's mode is not `none`
 *   and its patterns cover the MX. Without `--applies`, such a session stays `no-policy-found`.
 * - What cannot be fetched (timeout, refused, invalid) is said in a warning and the field is left
 *   out of the report (generate.ts omits an empty `policy-string`), never invented.
 *
 * Every lookup has the step timeout; each domain and MX is looked up once per run.
 */
import { fetchStsPolicy } from "../../audit/discovery/mta-sts-fetch.js";
import { parseStsPolicy, stsMatches } from "../../audit/measures/mta-sts-policy.js";
import type { TrustStore } from "../../audit/tls/trust-store.js";
import type { Network } from "../../net/network.js";
import type { OutboundSession } from "./generate.js";

export type Looked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

export interface StsFound {
  /** The policy's lines as served, without empty lines. */
  readonly lines: readonly string[];
  readonly mode: string;
  readonly mx: readonly string[];
}

export interface PolicySource {
  /**
   * The domain's MTA-STS policy; `ok` with null when it publishes none (no `v=STSv1` record at
   * `_mta-sts.DOMAIN`). `published` on a failure: the record is there, the policy could not be had.
   */
  sts(domain: string): Promise<Looked<StsFound | null> & { readonly published?: boolean }>;
  /** The MX's DNSSEC-validated TLSA records for SMTP, presentation strings; `ok` with [] when none. */
  tlsa(mxHost: string): Promise<Looked<readonly string[]>>;
}

/** Which policies the sending MTA applies where its log does not say (`--applies`). */
export interface Applied {
  readonly dane: boolean;
  readonly sts: boolean;
}

export const tlsaPresentation = (r: {
  readonly usage: number;
  readonly selector: number;
  readonly matchingType: number;
  readonly data: Buffer;
}) => `${r.usage} ${r.selector} ${r.matchingType} ${r.data.toString("hex").toUpperCase()}`;

/** The live source: DNS through the network's resolver, the policy over HTTPS (audit's fetch). */
export function livePolicySource(
  network: Network,
  options: { readonly stepTimeoutMs: number; readonly trustStore: TrustStore },
): PolicySource {
  const timeout = options.stepTimeoutMs;
  return {
    async sts(domain) {
      const txt = await network.resolver.txt(`_mta-sts.${domain}`, timeout);
      if (!txt.ok)
        return txt.reason === "not_found" || txt.reason === "no_data"
          ? { ok: true, value: null }
          : { ok: false, published: false, reason: `_mta-sts.${domain} TXT: ${txt.message}` };
      if (!txt.value.some((r) => r.startsWith("v=STSv1;"))) return { ok: true, value: null };
      const fetched = await fetchStsPolicy(domain, network, {
        stepTimeoutMs: timeout,
        trustStore: options.trustStore,
      });
      const hop = fetched.hops[0];
      const fail = (reason: string) => ({ ok: false as const, published: true, reason });
      if (!hop) return fail("no answer");
      if (hop.error) return fail(hop.error.message);
      if (hop.certificate !== "valid") return fail(`certificate ${hop.certificate ?? "not judged"}`);
      if (hop.status !== 200 || fetched.hops.length !== 1)
        return fail(`HTTP ${hop.status}${fetched.hops.length > 1 ? " (redirect, not followed)" : ""}`);
      if (fetched.body === null) return fail("empty answer");
      const parsed = parseStsPolicy(fetched.body);
      if (parsed.version !== "STSv1" || !parsed.mode || parsed.mx.length === 0)
        return fail("not a valid MTA-STS policy (RFC 8461 §3.2)");
      const lines = fetched.body
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "");
      return { ok: true, value: { lines, mode: parsed.mode, mx: parsed.mx } };
    },
    async tlsa(mxHost) {
      const name = `_25._tcp.${mxHost}`;
      const answer = await network.resolver.secure(name, "TLSA", timeout);
      if (!answer.ok)
        return answer.reason === "not_found" || answer.reason === "no_data"
          ? { ok: true, value: [] }
          : { ok: false, reason: `${name} TLSA: ${answer.message}` };
      if (answer.value.tlsa.length === 0) return { ok: true, value: [] };
      if (!answer.value.authenticated)
        return {
          ok: false,
          reason: `${name} TLSA: the answer of ${network.resolver.description} is not DNSSEC-validated (no AD bit)`,
        };
      return { ok: true, value: answer.value.tlsa.map(tlsaPresentation) };
    },
  };
}

const memo = <T>(lookup: (key: string) => Promise<T>) => {
  const cache = new Map<string, Promise<T>>();
  return (key: string) => {
    const k = key.toLowerCase().replace(/\.$/, "");
    let found = cache.get(k);
    if (!found) {
      found = lookup(k);
      cache.set(k, found);
    }
    return found;
  };
};

/** The sessions with their policy types and strings as found now, and what could not be found. */
export async function withPolicies(
  sessions: readonly OutboundSession[],
  source: PolicySource,
  applied: Applied,
): Promise<{ sessions: OutboundSession[]; warnings: string[] }> {
  const sts = memo((d) => source.sts(d));
  const tlsa = memo((mx) => source.tlsa(mx));
  const warnings = new Set<string>();
  const out: OutboundSession[] = [];
  for (const s of sessions) {
    const domain = s.policyDomain.toLowerCase().replace(/\.$/, "");
    const mx = s.mxHost ?? null;
    let policy = s.policy;
    if (policy.type === "no-policy-found" && applied.dane && mx !== null) {
      const found = await tlsa(mx);
      if (!found.ok) warnings.add(`${domain}: cannot tell whether DANE applied to ${mx}: ${found.reason}`);
      else if (found.value.length > 0) policy = { type: "tlsa", strings: found.value, mxHosts: [] };
    }
    if (policy.type === "no-policy-found" && applied.sts && mx !== null) {
      const found = await sts(domain);
      if (!found.ok && found.published) policy = { type: "sts", strings: [], mxHosts: [] };
      if (!found.ok) warnings.add(`${domain}: MTA-STS policy not fetched: ${found.reason}`);
      else if (
        found.value !== null &&
        found.value.mode !== "none" &&
        found.value.mx.some((p) => stsMatches(p.toLowerCase(), mx.toLowerCase()))
      )
        policy = { type: "sts", strings: found.value.lines, mxHosts: found.value.mx };
    } else if (policy.type === "sts" && policy.strings.length === 0) {
      const found = await sts(domain);
      if (found.ok && found.value !== null)
        policy = { ...policy, strings: found.value.lines, mxHosts: found.value.mx };
      else
        warnings.add(
          `${domain}: MTA-STS policy not fetched: ${found.ok ? "the domain publishes none now" : found.reason}`,
        );
    } else if (policy.type === "tlsa" && policy.strings.length === 0) {
      if (mx === null) warnings.add(`${domain}: TLSA records not looked up: the log names no MX`);
      else {
        const found = await tlsa(mx);
        if (found.ok && found.value.length > 0) policy = { ...policy, strings: found.value };
        else
          warnings.add(
            `${domain}: TLSA records of ${mx} not found: ${found.ok ? "none published now" : found.reason}`,
          );
      }
    }
    out.push(policy === s.policy ? s : { ...s, policy });
  }
  return { sessions: out, warnings: [...warnings] };
}
