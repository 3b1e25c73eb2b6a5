/** TLS wire values, spelled as in the RFCs (RFC 5246, RFC 8446, IANA TLS registries). */
import type { ProtocolVersion } from "../cipher-suites.js";

export const ContentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;

export const HandshakeType = {
  clientHello: 1,
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  serverHelloDone: 14,
  certificateStatus: 22,
} as const;

export const ExtensionType = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  encryptThenMac: 22,
  extendedMasterSecret: 23,
  supportedVersions: 43,
  pskKeyExchangeModes: 45,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

export const versionCode: Readonly<Record<ProtocolVersion, number>> = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  "TLSv1.1": 0x0302,
  "TLSv1.2": 0x0303,
  "TLSv1.3": 0x0304,
};

export function versionName(code: number): ProtocolVersion | null {
  for (const [name, value] of Object.entries(versionCode)) if (value === code) return name as ProtocolVersion;
  return null;
}

/** RFC 8446 §4.1.3: the random of a HelloRetryRequest is SHA-256("HelloRetryRequest"). */
export const helloRetryRequestRandom = Buffer.from(
  "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c",
  "hex",
);

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3). */
export const renegotiationScsv = 0x00ff;

/** IANA TLS Supported Groups (RFC 8422, RFC 7919, RFC 8446), names as in the registry. */
export const groups: ReadonlyArray<readonly [number, string]> = [
  [0x001d, "x25519"],
  [0x0017, "secp256r1"],
  [0x001e, "x448"],
  [0x0018, "secp384r1"],
  [0x0019, "secp521r1"],
  [0x001a, "brainpoolP256r1"],
  [0x001b, "brainpoolP384r1"],
  [0x001c, "brainpoolP512r1"],
  [0x0100, "ffdhe2048"],
  [0x0101, "ffdhe3072"],
  [0x0102, "ffdhe4096"],
  [0x0103, "ffdhe6144"],
  [0x0104, "ffdhe8192"],
  [0x11ec, "X25519MLKEM768"],
  [0x0016, "secp256k1"],
  [0x0015, "secp224r1"],
  [0x0013, "secp192r1"],
  [0x0009, "sect283k1"],
  [0x000a, "sect283r1"],
  [0x000b, "sect409k1"],
  [0x000c, "sect409r1"],
  [0x000d, "sect571k1"],
  [0x000e, "sect571r1"],
];

const groupNames = new Map(groups);
export const groupName = (code: number): string =>
  groupNames.get(code) ?? `0x${code.toString(16).padStart(4, "0")}`;

/** Signature algorithms offered (RFC 8446 §4.2.3), broad enough for legacy servers (SHA-1). */
export const signatureAlgorithms: readonly number[] = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501,
  0x0601, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
];

/** Alert descriptions (RFC 8446 §6), for evidence. */
export const alertNames: Readonly<Record<number, string>> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  22: "record_overflow",
  40: "handshake_failure",
  42: "bad_certificate",
  47: "illegal_parameter",
  50: "decode_error",
  51: "decrypt_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  86: "inappropriate_fallback",
  90: "user_canceled",
  109: "missing_extension",
  110: "unsupported_extension",
  112: "unrecognized_name",
  120: "no_application_protocol",
};
