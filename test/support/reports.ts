/** Synthetic endpoint reports for unit tests of the measures (no network). */
import type { EndpointReport, EndpointTls } from "../../src/audit/probe/endpoint.js";
import type { ProtocolVersion, ReportedVersion } from "../../src/audit/tls/cipher-suites.js";

export interface TlsSketch {
  readonly versions: readonly ReportedVersion[];
  readonly suites: Partial<Record<ProtocolVersion, readonly string[]>>;
  readonly serverOrder?: boolean;
  readonly certificate?: "valid" | "expired" | "wrong_host";
  readonly signatureHash?: string;
  readonly complete?: boolean;
}

export function tlsOf(sketch: TlsSketch): EndpointTls {
  const prefs: Partial<Record<ProtocolVersion, boolean | null>> = {};
  for (const v of Object.keys(sketch.suites) as ProtocolVersion[]) prefs[v] = sketch.serverOrder ?? true;
  const first = Object.values(sketch.suites)[0]?.[0] ?? "TLS_AES_128_GCM_SHA256";
  return {
    negotiated: {
      version: sketch.versions.at(-1) ?? null,
      cipherSuite: first,
      opensslName: first,
      group: "x25519",
      keyExchange: "ECDHE",
      keyExchangeBits: 253,
      alpn: null,
    },
    certificate: {
      subject: "CN=mx.example.org",
      issuer: "CN=CA",
      serialNumber: "01",
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2027-01-01T00:00:00.000Z",
      keyType: "RSA",
      keyBits: 2048,
      signatureHash: sketch.signatureHash ?? "SHA-256",
      signatureAlgorithm: "sha256WithRSAEncryption",
      fingerprintSha256: "AA",
      digests: { certSha256: "aa", certSha512: "aa", spkiSha256: "bb", spkiSha512: "bb" },
      subjectAltNames: ["DNS:mx.example.org"],
      extendedKeyUsage: ["serverAuth"],
      status: sketch.certificate ?? "valid",
      problems: sketch.certificate && sketch.certificate !== "valid" ? [sketch.certificate] : [],
      hostChecked: "mx.example.org",
      hostMatches: sketch.certificate !== "wrong_host",
      chainServed: 2,
      path: [],
      trustAnchor: "CN=Root",
      ocspStapled: false,
      chain: [],
    },
    ocspStapled: false,
    versions: sketch.versions,
    cipherSuites: sketch.suites,
    serverPreference: sketch.serverOrder ?? true,
    groups: ["x25519"],
    enumeration: {
      incompleteReason: (sketch.complete ?? true) ? null : "deadline",
      versionsProbed: 6,
      complete: sketch.complete ?? true,
      throttled: false,
      quick: false,
      serverPreferenceByVersion: prefs,
      dhBits: null,
      compression: false,
      secureRenegotiation: true,
      extendedMasterSecret: true,
      encryptThenMac: false,
      sslv2: false,
      connections: 10,
      notes: [],
    },
  };
}

export function endpointOf(partial: Partial<EndpointReport> & { tls?: EndpointTls | null }): EndpointReport {
  return {
    host: "mx.example.org",
    address: "192.0.2.25",
    port: 25,
    service: "smtp",
    tlsMode: "starttls",
    starttlsAdvertised: true,
    tls: null,
    dialogue: null,
    plaintextInjection: null,
    transcript: [],
    stats: { connections: 1, retries: 0, durationMs: 10 },
    outcome: "completed",
    error: null,
    ...partial,
  };
}
