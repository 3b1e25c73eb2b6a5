/**
 * Which peer domains can take the Postfix `dane` level: every MX host of the domain publishes TLSA
 * records that the resolver validated (RFC 7672 §2.2; Postfix TLS_README, "dane" level).
 */
import type { Resolver } from "../net/resolver.js";
import type { Signatory } from "../registry/model.js";

export async function daneDomains(
  peers: readonly Signatory[],
  resolver: Resolver,
  timeoutMs: number,
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const domain of peers.flatMap((p) => p.domains.map((d) => d.domain))) {
    const mx = await resolver.mx(domain, timeoutMs);
    if (!mx.ok || mx.value.length === 0) continue;
    const answers = await Promise.all(
      mx.value.map((r) => resolver.secure(`_25._tcp.${r.exchange.replace(/\.$/, "")}`, "TLSA", timeoutMs)),
    );
    if (answers.every((a) => a.ok && a.value.authenticated && a.value.tlsa.length > 0)) found.add(domain);
  }
  return found;
}
