/**
 * access.autoconfig — charter art. 5: the client configuration a provider publishes (Thunderbird
 * autoconfig, over HTTPS) turns TLS on by default. `not_applicable` only when every place it could
 * be answered that there is none; a lookup or fetch that failed is `error`.
 */
import { type Evidence, evidence, finding } from "../findings/evidence.js";
import type { Measure } from "./measure.js";

export const accessAutoconfig: Measure = {
  id: "access.autoconfig",
  ref: "charte art. 5",
  charter: false,
  title: { fr: "Autoconfiguration des clients", en: "Client autoconfiguration" },
  words: {
    pass: { fr: "TLS par défaut", en: "TLS on by default" },
    fail: { fr: "TLS pas toujours activé", en: "TLS not always on" },
    warn: { fr: "TLS par défaut, certificat à revoir", en: "TLS on by default, certificate to fix" },
    not_applicable: { fr: "aucune publiée", en: "none published" },
  },
  judge({ domain, autoconfig }) {
    const found = autoconfig.found;
    if (!found) {
      const unknown = autoconfig.tried.find((t) => !t.proven);
      return {
        evidence: [
          unknown
            ? evidence(unknown.url, finding("error", "autoconfig.unknown", { message: unknown.message }))
            : evidence(domain, finding("not_applicable", "autoconfig.none")),
        ],
      };
    }
    const items: Evidence[] = found.servers.map((s) =>
      evidence(
        `${s.hostname}:${s.port}`,
        finding(/^(ssl|tls|starttls)$/i.test(s.socketType) ? "pass" : "fail", "autoconfig.server", {
          direction: s.direction,
          type: s.type,
          socketType: s.socketType,
        }),
      ),
    );
    const certificate = found.fetch.hops.at(-1)?.certificate;
    if (certificate && certificate !== "valid")
      items.push(evidence(found.url, finding("warn", "autoconfig.certificate", { status: certificate })));
    if (items.length === 0) items.push(evidence(found.url, finding("error", "autoconfig.empty")));
    return { evidence: items };
  },
};
