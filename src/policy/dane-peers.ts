/**
 * Which peer domains can take the DANE level: every MX host of the domain publishes TLSA records that
 * the resolver validated (RFC 7672 §2.2; Postfix TLS_README, "dane" level). A question the resolver
 * does not answer (timeout, refusal, SERVFAIL) is an error, never a silent "no DANE": the policy would
 * otherwise be weaker than the operator asked for without saying so.
 */
import { MailcharterError } from "../core/errors.js";
import type { Resolver } from "../net/resolver.js";
import type { Signatory } from "../registry/model.js";

export class DaneLookupError extends MailcharterError {
  constructor(message: string) {
    super("config", message);
    this.name = "DaneLookupError";
  }
}

/** Answers that prove an absence (RFC 7672 §2.2.1: no TLSA → no DANE for that host). */
const absent = new Set(["NOERROR", "NXDOMAIN"]);

export async function daneDomains(
  peers: readonly Signatory[],
  resolver: Resolver,
  timeoutMs: number,
): Promise<Set<string>> {
  const fail = (what: string, why: string) =>
    new DaneLookupError(`--dane: ${what}: ${why} (resolver ${resolver.description}); nothing written`);
  const found = new Set<string>();
  for (const domain of peers.flatMap((p) => p.domains.map((d) => d.domain))) {
    const mx = await resolver.mx(domain, timeoutMs);
    if (!mx.ok) {
      if (mx.reason === "not_found" || mx.reason === "no_data") continue;
      throw fail(`MX ${domain}`, mx.message);
    }
    const hosts = mx.value.map((r) => r.exchange.replace(/\.$/, "")).filter((h) => h !== "");
    if (hosts.length === 0) continue; // RFC 7505 null MX: the domain takes no mail
    const answers = await Promise.all(
      hosts.map(async (host) => ({
        host,
        answer: await resolver.secure(`_25._tcp.${host}`, "TLSA", timeoutMs),
      })),
    );
    for (const { host, answer } of answers) {
      if (!answer.ok) throw fail(`TLSA _25._tcp.${host}`, answer.message);
      if (!absent.has(answer.value.rcode))
        throw fail(`TLSA _25._tcp.${host}`, `answer ${answer.value.rcode}`);
    }
    if (
      answers.every(({ answer }) => answer.ok && answer.value.authenticated && answer.value.tlsa.length > 0)
    )
      found.add(domain);
  }
  return found;
}
