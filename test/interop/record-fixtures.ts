/**
 * Records dialogue transcripts from the real lab servers into test/fixtures/transcripts/, for the
 * unit tests that replay them through the pure dialogues. Run as root: `npx tsx test/interop/record-fixtures.ts`.
 */
import { writeFileSync } from "node:fs";
import { probeEndpoint } from "../../src/audit/probe/probe-endpoint.js";
import type { Service } from "../../src/audit/probe/services.js";
import { trustStore } from "../../src/audit/tls/trust-store.js";
import { liveNetwork } from "../../src/net/network.js";
import { parseResolverAddress, systemResolver } from "../../src/net/resolver.js";
import { startLab } from "./lab/lab.js";

const targets: ReadonlyArray<{
  file: string;
  host: string;
  port: number;
  service: Service;
  tlsMode: "starttls" | "implicit" | "none";
  note: string;
}> = [
  {
    file: "postfix-25-starttls.txt",
    host: "mail.good.lab.test",
    port: 25,
    service: "smtp",
    tlsMode: "starttls",
    note: "Postfix 3.7 (Debian 12), port 25, STARTTLS",
  },
  {
    file: "postfix-25-no-starttls.txt",
    host: "mail.nostarttls.lab.test",
    port: 25,
    service: "smtp",
    tlsMode: "starttls",
    note: "Postfix 3.7, smtpd_tls_security_level=none",
  },
  {
    file: "dovecot-143-starttls.txt",
    host: "mail.good.lab.test",
    port: 143,
    service: "imap",
    tlsMode: "starttls",
    note: "Dovecot 2.3 (Debian 12), IMAP 143, STARTTLS",
  },
  {
    file: "dovecot-110-stls.txt",
    host: "mail.good.lab.test",
    port: 110,
    service: "pop3",
    tlsMode: "starttls",
    note: "Dovecot 2.3, POP3 110, STLS",
  },
  {
    file: "dovecot-143-plain.txt",
    host: "mail.nostarttls.lab.test",
    port: 143,
    service: "imap",
    tlsMode: "starttls",
    note: "Dovecot 2.3 with ssl=no, IMAP 143",
  },
];

const lab = await startLab();
try {
  const network = liveNetwork({
    resolver: systemResolver(parseResolverAddress(lab.resolver)),
    allowPrivate: true,
  });
  const store = trustStore({ caFiles: [lab.rootCaFile] });
  for (const t of targets) {
    const [report] = await probeEndpoint(
      t,
      { ehloName: "probe.lab.test", stepTimeoutMs: 5000, trustStore: store },
      network,
    );
    const lines = (report?.transcript ?? []).filter((l) => !l.startsWith("*: TLS established"));
    writeFileSync(
      `test/fixtures/transcripts/${t.file}`,
      `# ${t.note} — recorded from the interop lab\n${lines.join("\n")}\n`,
    );
  }
} finally {
  await lab.stop();
}
