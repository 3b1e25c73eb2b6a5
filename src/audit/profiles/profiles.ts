/** The three profiles, as data. Sources: ANSSI SDE-NT-35 (TLS guide), Mozilla Server Side TLS, the charter annex (docs/standards.md §1, §5). */
import type { Profile } from "./profile.js";

const weakCiphers = ["RC4", "DES", "3DES", "RC2", "IDEA", "SEED", "NULL"];

export const charter2015: Profile = {
  id: "charter-2015",
  title: "Charte 2015 (annexe)",
  reference:
    "Charte pour la sécurité des services de courriers électroniques, annexe §1–§2; ANSSI TLS v1.1 (2016)",
  rules: [
    {
      id: "no-ssl",
      source: "charte §1.1, §2.2",
      rule: { kind: "forbid-versions", versions: ["SSLv2", "SSLv3"], level: "fail" },
    },
    {
      id: "tls12",
      source: "charte §2.2",
      rule: { kind: "require-one-version", versions: ["TLSv1.2", "TLSv1.3"] },
    },
    {
      id: "old-tls",
      source: "ANSSI TLS v1.1",
      rule: { kind: "forbid-versions", versions: ["TLSv1", "TLSv1.1"], level: "warn" },
    },
    {
      id: "pfs",
      source: "charte §1.1, §2.2",
      rule: {
        kind: "require-suites",
        select: { keyExchanges: ["ECDHE", "DHE", "TLS13"], excludeAnonymous: true },
        what: "forward-secret",
      },
    },
    {
      id: "aes-first",
      source: "charte §2.2",
      rule: {
        kind: "prefer",
        good: { ciphers: ["AES", "AESGCM", "AESCCM", "AESCCM8"] },
        bad: { ciphers: ["3DES", "RC4"] },
        names: { good: "AES", bad: "3DES/RC4" },
      },
    },
    {
      id: "ecdhe-first",
      source: "charte §2.2",
      rule: {
        kind: "prefer",
        good: { keyExchanges: ["ECDHE", "DHE", "TLS13"], excludeAnonymous: true },
        bad: { keyExchanges: ["RSA"] },
        names: { good: "ECDHE/DHE", bad: "static RSA" },
      },
    },
    {
      id: "sha2-first",
      source: "charte §2.2",
      rule: {
        kind: "prefer",
        good: { aead: true, macs: ["SHA256", "SHA384"] },
        bad: { macs: ["MD5", "SHA1"] },
        names: { good: "SHA-256/384/AEAD", bad: "MD5/SHA-1" },
        versions: ["TLSv1.2", "TLSv1.3"],
      },
    },
    {
      id: "no-broken",
      source: "charte §1.1",
      rule: {
        kind: "forbid-suites",
        select: { ciphers: ["NULL", "RC4", "DES"], export: true, anonymous: true },
        level: "fail",
      },
    },
    {
      id: "3des",
      source: "ANSSI TLS v1.1",
      rule: { kind: "forbid-suites", select: { ciphers: ["3DES"] }, level: "warn" },
    },
    {
      id: "signature",
      source: "charte §2.2",
      rule: { kind: "certificate-signature", forbidden: ["MD5", "SHA-1"] },
    },
  ],
  // Port 25 is opportunistic TLS (RFC 7435): old versions and suites only warn there unless SSL is offered.
  measures: {
    "mx.tls-version": ["no-ssl", "tls12", "old-tls"],
    "mx.cipher": ["aes-first"],
    "mx.key-exchange": ["ecdhe-first"],
    "mx.hash": ["sha2-first", "signature"],
    "access.pfs": ["pfs"],
    "access.tls-parameters": ["no-ssl", "no-broken", "old-tls", "3des"],
  },
};

export const anssiTls2020: Profile = {
  id: "anssi-tls-2020",
  title: "ANSSI, Recommandations de sécurité relatives à TLS, v1.2 (2020)",
  reference:
    "ANSSI SDE-NT-35 v1.2 (26/03/2020), R3, R4, R6–R10, R12, R13, R19, R26 (docs/standards.md §1, from summaries)",
  rules: [
    {
      id: "R4",
      source: "ANSSI R4",
      rule: { kind: "forbid-versions", versions: ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"], level: "fail" },
    },
    { id: "R3", source: "ANSSI R3", rule: { kind: "require-one-version", versions: ["TLSv1.3", "TLSv1.2"] } },
    {
      id: "R6-R7",
      source: "ANSSI R6/R7",
      rule: {
        kind: "forbid-suites",
        select: { keyExchanges: ["RSA", "DH", "ECDH", "PSK", "RSA_PSK"] },
        level: "fail",
      },
    },
    {
      id: "R7-",
      source: "ANSSI R7- (DHE degraded)",
      rule: { kind: "forbid-suites", select: { keyExchanges: ["DHE"] }, level: "warn" },
    },
    {
      id: "R9-R10",
      source: "ANSSI R9/R10 (symmetric cipher; CBC only as R10-)",
      rule: {
        kind: "forbid-suites",
        select: { ciphers: weakCiphers, export: true, anonymous: true },
        level: "fail",
      },
    },
    {
      id: "R10-",
      source: "ANSSI R10- (CBC with encrypt_then_mac only)",
      rule: { kind: "forbid-suites", select: { macs: ["SHA1", "SHA256", "SHA384", "MD5"] }, level: "warn" },
    },
    {
      id: "R12",
      source: "ANSSI R12 / annexe A.1",
      rule: {
        kind: "only-suites",
        level: "warn",
        names: [
          "TLS_AES_256_GCM_SHA384",
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_128_CCM_SHA256",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
          "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ],
      },
    },
    { id: "R13", source: "ANSSI R13", rule: { kind: "server-order", level: "warn" } },
    { id: "R19", source: "ANSSI R19", rule: { kind: "no-compression" } },
    {
      id: "DH",
      source: "ANSSI R7- (DHE ≥ 2048 bits)",
      rule: { kind: "min-dh-bits", bits: 2048, level: "fail" },
    },
    { id: "R26", source: "ANSSI R26", rule: { kind: "certificate-key", rsaBits: 2048, ecBits: 256 } },
    {
      id: "signature",
      source: "ANSSI (SHA-2 signatures)",
      rule: { kind: "certificate-signature", forbidden: ["MD5", "SHA-1"] },
    },
    {
      id: "R25",
      source: "ANSSI R25 (≤ 825 days)",
      rule: { kind: "max-certificate-days", days: 825, level: "warn" },
    },
    { id: "renegotiation", source: "RFC 5746", rule: { kind: "secure-renegotiation", level: "warn" } },
  ],
};

export const mozillaIntermediate: Profile = {
  id: "mozilla-intermediate",
  title: "Mozilla Server Side TLS, intermediate (5.7)",
  reference: "Mozilla Server Side TLS guidelines 5.7 (docs/standards.md §5)",
  rules: [
    {
      id: "versions",
      source: "Mozilla intermediate",
      rule: { kind: "forbid-versions", versions: ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"], level: "fail" },
    },
    {
      id: "tls12",
      source: "Mozilla intermediate",
      rule: { kind: "require-one-version", versions: ["TLSv1.2", "TLSv1.3"] },
    },
    {
      id: "suites",
      source: "Mozilla intermediate",
      rule: {
        kind: "only-suites",
        level: "fail",
        names: [
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ],
      },
    },
    {
      id: "order",
      source: "Mozilla intermediate (client order)",
      rule: { kind: "client-order", level: "warn" },
    },
    {
      id: "dh",
      source: "Mozilla intermediate (ffdhe2048)",
      rule: { kind: "min-dh-bits", bits: 2048, level: "fail" },
    },
    {
      id: "key",
      source: "Mozilla intermediate",
      rule: { kind: "certificate-key", rsaBits: 2048, ecBits: 256 },
    },
    {
      id: "lifetime",
      source: "Mozilla (366 days)",
      rule: { kind: "max-certificate-days", days: 366, level: "warn" },
    },
  ],
};

export const profiles: readonly Profile[] = [charter2015, anssiTls2020, mozillaIntermediate];
export const profileIds = profiles.map((p) => p.id);
