/** Golden files for the terminal rendering: run with UPDATE_GOLDEN=1 to rewrite them after a deliberate change. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";
import { renderEndpointText } from "../../../src/audit/report/endpoint-text.js";

const golden = (name: string, actual: string) => {
  const file = join(import.meta.dirname, "..", "..", "fixtures", "golden", name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
};

const completed: EndpointReport = {
  host: "mx.example.org",
  address: "192.0.2.25",
  port: 25,
  service: "smtp",
  tlsMode: "starttls",
  starttlsAdvertised: true,
  tls: {
    negotiated: {
      version: "TLSv1.2",
      cipherSuite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      opensslName: "ECDHE-RSA-AES256-GCM-SHA384",
      group: "x25519",
      keyExchange: "ECDHE",
      keyExchangeBits: 253,
      alpn: null,
    },
    certificate: {
      subject: "CN=mx.example.org",
      issuer: "CN=Example CA",
      serialNumber: "01",
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2026-04-01T00:00:00.000Z",
      keyType: "RSA",
      keyBits: 2048,
      signatureHash: "SHA-256",
      signatureAlgorithm: "RSASSA-PKCS1-v1_5 with SHA-256",
      fingerprintSha256: "AA",
      digests: { certSha256: "aa", certSha512: "aa", spkiSha256: "bb", spkiSha512: "bb" },
      subjectAltNames: ["DNS:mx.example.org"],
      extendedKeyUsage: ["serverAuth"],
      status: "expired",
      problems: ["expired", "wrong_host"],
      hostChecked: "mx.example.org",
      hostMatches: false,
      chainServed: 2,
      path: ["CN=mx.example.org", "CN=Example CA", "CN=Example Root"],
      trustAnchor: "CN=Example Root",
      ocspStapled: false,
      chain: [],
    },
    ocspStapled: false,
  },
  dialogue: {
    protocol: "SMTP",
    facts: { authBeforeTls: ["PLAIN", "LOGIN"], starttlsAdvertisedAfterTls: true },
  },
  plaintextInjection: { bytes: 14, preview: "250 injected" },
  transcript: [],
  stats: { connections: 1, retries: 0, durationMs: 120 },
  outcome: "completed",
  error: null,
};

const failed: EndpointReport = {
  ...completed,
  tls: null,
  starttlsAdvertised: false,
  dialogue: null,
  plaintextInjection: null,
  outcome: "failed",
  error: { step: "starttls", reason: "not_offered", message: "STARTTLS is not advertised in the EHLO reply" },
};

describe("terminal rendering", () => {
  it("English, a completed probe with findings", () =>
    golden("endpoint-completed.en.txt", renderEndpointText(completed, "en")));
  it("French, a completed probe with findings", () =>
    golden("endpoint-completed.fr.txt", renderEndpointText(completed, "fr")));
  it("English, a failed probe", () => golden("endpoint-failed.en.txt", renderEndpointText(failed, "en")));
});
