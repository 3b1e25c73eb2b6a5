/**
 * mx.outbound-tls — Charte annexe §2.2: STARTTLS "est employée en émission lorsque le destinataire
 * indique la supporter", and receivers are authenticated by certificates of a CA. Observed by the
 * outbound test's receiving endpoint (src/outbound), from the domain's latest test:
 * - `fail`: mail came in clear text while STARTTLS was offered;
 * - `warn`: opportunistic — delivered despite an invalid certificate, or in clear to a receiver
 *   without STARTTLS (RFC 7435: no authentication toward signatories);
 * - `pass`: STARTTLS used with the parameters the MX measures require (the same charter-2015 rules,
 *   applied to the session the sender negotiated), invalid certificates refused or deferred;
 * - `error`: no test yet, or what could not be observed (test running, nothing arrived).
 */
import { type Evidence, evidence, finding } from "../findings/evidence.js";
import type { EndpointReport } from "../probe/endpoint.js";
import type { ProtocolVersion } from "../tls/cipher-suites.js";
import type { AuditFacts } from "./audit-facts.js";
import type { Judgement, Measure } from "./measure.js";
import { charterRule, judgeRules } from "./mx-endpoints.js";
import type { OutboundConclusion, OutboundFacts, OutboundSession } from "./outbound-facts.js";

/** The charter-2015 rules the MX measures judge a port-25 server on, minus the certificate's. */
const sessionRules = [
  "no-ssl",
  "tls12",
  "old-tls",
  "pfs",
  "aes-first",
  "ecdhe-first",
  "sha2-first",
  "no-broken",
  "3des",
];

/**
 * The session a sender negotiated, as an endpoint whose enumeration found exactly that version and
 * suite: what protected the mail is what was negotiated, so the rules judge it as complete.
 */
export function sessionEndpoint(s: OutboundSession): EndpointReport {
  const version = (s.tlsVersion ?? "") as ProtocolVersion;
  return {
    host: s.variant,
    address: s.remoteAddress,
    port: 25,
    service: "smtp",
    tlsMode: "starttls",
    starttlsAdvertised: true,
    tls: {
      negotiated: null,
      certificate: null,
      ocspStapled: false,
      versions: [version],
      cipherSuites: { [version]: s.cipherSuite ? [s.cipherSuite] : [] },
      serverPreference: null,
      groups: s.group ? [s.group] : [],
      enumeration: {
        complete: true,
        quick: false,
        incompleteReason: null,
        versionsProbed: 1,
        serverPreferenceByVersion: {},
        dhBits: null,
        compression: null,
        secureRenegotiation: null,
        extendedMasterSecret: null,
        encryptThenMac: null,
        sslv2: null,
        notes: [],
        throttled: false,
        connections: 1,
      },
    },
    dialogue: null,
    plaintextInjection: null,
    transcript: [],
    stats: { connections: 1, retries: 0, durationMs: 0 },
    outcome: "completed",
    error: null,
  };
}

const where = (o: OutboundFacts, variant?: string, from?: string) =>
  `outbound test ${o.testId}${variant ? ` ${variant}` : ""}${from ? ` from ${from}` : ""}`;

function notObserved(o: OutboundFacts, what: string, c: OutboundConclusion): Evidence[] {
  if (c.status === "observed" || c.reason === "not-configured") return [];
  return [
    evidence(
      where(o),
      finding("error", "outbound.not-observed", { what, reason: c.reason, expiresAt: o.expiresAt }),
    ),
  ];
}

export function judgeOutbound(o: OutboundFacts): Evidence[] {
  const items: Evidence[] = [];
  const offered = o.starttlsWhenOffered;
  if (offered.status === "observed" && offered.value !== "always") {
    const clear = [
      ...new Set(o.sessions.filter((s) => !s.starttls && s.variant !== "no-starttls").map((s) => s.variant)),
    ];
    items.push(evidence(where(o), finding("fail", "outbound.clear-while-offered", { variants: clear })));
  }
  for (const s of o.sessions.filter((x) => x.starttls)) {
    const at = where(o, s.variant, s.remoteAddress);
    items.push(
      evidence(
        at,
        finding("pass", "outbound.session", {
          version: s.tlsVersion ?? "",
          suite: s.cipherSuite ?? "",
          group: s.group ?? "",
        }),
      ),
    );
    // The engine's own version and suite judgement (charter-2015 profile), worst findings only.
    for (const e of judgeRules(sessionEndpoint(s), sessionRules.map(charterRule)))
      if (e.status !== "pass") items.push({ ...e, endpoint: at });
  }
  items.push(...notObserved(o, "starttls-when-offered", offered));
  const verification = o.certificateVerification;
  if (verification.status === "observed")
    items.push(
      evidence(
        where(o),
        verification.value === "verifies"
          ? finding("pass", "outbound.verifies", {
              variants: verification.basis.filter((k) => k !== "valid"),
            })
          : finding("warn", "outbound.opportunistic", { variants: verification.basis }),
      ),
    );
  items.push(...notObserved(o, "certificate-verification", verification));
  const plain = o.withoutStarttls;
  if (plain.status === "observed")
    items.push(
      evidence(
        where(o, "no-starttls"),
        plain.value === "refuses-clear"
          ? finding("pass", "outbound.refuses-clear")
          : finding("warn", "outbound.clear-fallback"),
      ),
    );
  items.push(...notObserved(o, "without-starttls", plain));
  return items;
}

function judgeFacts({ domain, outbound }: AuditFacts): Judgement {
  if (outbound === undefined)
    return {
      evidence: [evidence(domain, finding("error", "outbound.no-store"))],
      summary: {
        fr: "TLS sortant : non mesuré (aucune base de tests sortants, --db)",
        en: "Outbound TLS: not measured (no outbound-test store, --db)",
      },
    };
  if (outbound === null)
    return {
      evidence: [evidence(domain, finding("error", "outbound.no-test"))],
      summary: {
        fr: "TLS sortant : aucun test sortant pour l'instant",
        en: "Outbound TLS: no outbound test yet",
      },
    };
  if ("error" in outbound)
    return {
      evidence: [evidence(domain, finding("error", "outbound.read-failed", { message: outbound.error }))],
    };
  return { evidence: judgeOutbound(outbound), empty: "error" };
}

export const mxOutboundTls: Measure = {
  id: "mx.outbound-tls",
  ref: "§2.2",
  charter: false,
  title: { fr: "TLS sortant", en: "Outbound TLS" },
  judge: judgeFacts,
};
