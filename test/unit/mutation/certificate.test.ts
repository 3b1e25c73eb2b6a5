/**
 * The failing side of certificate analysis: forged signatures, exact validity boundaries, every key
 * type, long chains, pinned leaves, expired anchors, partial wildcards, and the summary fields (SAN,
 * EKU, digests, names) that DANE matching and the reports read.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeChain } from "../../../src/audit/tls/certificate.js";
import { type TrustStore, trustStoreOf } from "../../../src/audit/tls/trust-store.js";
import { type Forged, forge, forgeRoot, withBadSignature } from "./support/forge.js";

let root: Forged;
let intermediate: Forged;
let store: TrustStore;

beforeAll(async () => {
  root = await forgeRoot("Mutation Root", { nameSuffix: ", O=mailcharter lab" });
  intermediate = await forge(root, "Mutation Intermediate", { ca: true, nameSuffix: ", O=mailcharter lab" });
  store = trustStoreOf([root.x509], "mutation root");
});

const analyze = (
  chain: readonly Forged[],
  options: { host?: string | null; trust?: TrustStore; now?: Date } = {},
) =>
  analyzeChain(
    chain.map((c) => c.der),
    {
      host: options.host === undefined ? "mx.example.test" : options.host,
      store: options.trust ?? store,
      now: options.now ?? new Date(),
      ocspStapled: false,
    },
  );

const leafFor = (issuer: Forged, options: Parameters<typeof forge>[2] = {}) =>
  forge(issuer, "mx.example.test", { sans: [{ type: "dns", value: "mx.example.test" }], ...options });

describe("chain signatures are checked, not only names", () => {
  it("a forged intermediate (right name, key and key identifiers; bad signature) does not reach the root", async () => {
    const leaf = await leafFor(intermediate);
    expect(analyze([leaf, intermediate])?.status).toBe("valid");
    const forged = withBadSignature(intermediate);
    const result = analyze([leaf, forged]);
    expect(result?.status).toBe("incomplete_chain");
    expect(result?.trustAnchor).toBeNull();
  });

  it("a leaf with a bad signature does not chain to its (genuine) intermediate", async () => {
    const leaf = withBadSignature(await leafFor(intermediate));
    expect(analyze([leaf, intermediate])?.status).toBe("incomplete_chain");
  });

  it("a self-signed certificate whose signature is bad is not self-signed: nothing issued it", async () => {
    const self = await forgeRoot("mx.example.test");
    expect(analyze([self], { host: null })?.status).toBe("self_signed");
    expect(analyze([withBadSignature(self)], { host: null })?.status).toBe("incomplete_chain");
  });
});

describe("validity boundaries (RFC 5280 §4.1.2.5: notBefore through notAfter, inclusive)", () => {
  const notBefore = new Date("2026-03-01T00:00:00Z");
  const notAfter = new Date("2026-06-01T00:00:00Z");
  let leaf: Forged;
  let ca: Forged;
  let trust: TrustStore;
  beforeAll(async () => {
    ca = await forgeRoot("Boundary Root", {
      notBefore: new Date("2020-01-01T00:00:00Z"),
      notAfter: new Date("2040-01-01T00:00:00Z"),
    });
    trust = trustStoreOf([ca.x509], "boundary");
    leaf = await leafFor(ca, { notBefore, notAfter });
  });
  const at = (ms: number) => analyze([leaf], { trust, now: new Date(ms) })?.problems;

  it("valid at the first and the last instant, expired one millisecond after", () => {
    expect(at(notAfter.getTime())).toEqual([]);
    expect(at(notAfter.getTime() + 1)).toEqual(["expired"]);
    expect(at(notBefore.getTime())).toEqual([]);
    expect(at(notBefore.getTime() - 1)).toEqual(["not_yet_valid"]);
  });

  it("an expired intermediate is expired; an expired trust anchor is not (its dates are the store's business)", async () => {
    const oldRoot = await forgeRoot("Old Root", {
      notBefore: new Date(Date.now() - 400 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const oldTrust = trustStoreOf([oldRoot.x509], "old root");
    const leaf = await leafFor(oldRoot);
    const result = analyze([leaf], { trust: oldTrust });
    expect(result?.status).toBe("valid");
    expect(result?.trustAnchor).toBe("CN=Old Root");
    const oldIntermediate = await forge(root, "Old Intermediate", {
      ca: true,
      notBefore: new Date(Date.now() - 400 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const under = await leafFor(oldIntermediate);
    expect(analyze([under, oldIntermediate])?.problems).toEqual(["expired"]);
  });
});

describe("path building", () => {
  it("a leaf pinned in the store is its own anchor, even when its issuer is unknown", async () => {
    const unknownCa = await forgeRoot("Unknown CA");
    const leaf = await leafFor(unknownCa);
    const pinned = trustStoreOf([leaf.x509], "pinned leaf");
    const result = analyze([leaf], { trust: pinned });
    expect(result?.status).toBe("valid");
    expect(result?.path).toEqual(["CN=mx.example.test"]);
    expect(analyze([leaf])?.status).toBe("incomplete_chain");
  });

  it("an unrelated certificate served before the intermediate is skipped", async () => {
    const leaf = await leafFor(intermediate);
    const stranger = await forge(await forgeRoot("Stranger Root"), "Stranger", { ca: true });
    const result = analyze([leaf, stranger, intermediate]);
    expect(result?.status).toBe("valid");
    expect(result?.path).toEqual([
      "CN=mx.example.test",
      "CN=Mutation Intermediate, O=mailcharter lab",
      "CN=Mutation Root, O=mailcharter lab",
    ]);
    expect(result?.trustAnchor).toBe("CN=Mutation Root, O=mailcharter lab");
    expect(result?.chainServed).toBe(3);
  });

  it("follows nine served intermediates, gives up at ten (untrusted, never valid)", async () => {
    const chainOf = async (n: number) => {
      const cas: Forged[] = [];
      let issuer = root;
      for (let i = 1; i <= n; i++) {
        issuer = await forge(issuer, `Level ${i}`, { ca: true });
        cas.unshift(issuer);
      }
      return [await leafFor(issuer), ...cas];
    };
    const nine = await chainOf(9);
    expect(analyze(nine)?.status).toBe("valid");
    expect(analyze(nine)?.path).toHaveLength(11);
    const ten = await chainOf(10);
    const result = analyze(ten);
    expect(result?.status).toBe("untrusted");
    expect(result?.trustAnchor).toBeNull();
  });
});

describe("host names (RFC 6125 §6.4.3)", () => {
  it("a partial wildcard (m*.example.test) matches nothing", async () => {
    const leaf = await forge(intermediate, "partial", { sans: [{ type: "dns", value: "m*.example.test" }] });
    const result = analyze([leaf, intermediate]);
    expect(result?.status).toBe("wrong_host");
    expect(result?.hostMatches).toBe(false);
  });
});

describe("the summary of each certificate", () => {
  it("SAN of every type, quoted names with a comma, EKU names, none for a CA", async () => {
    const leaf = await forge(intermediate, "mx.example.test", {
      sans: [
        { type: "dns", value: "mx.example.test" },
        { type: "dns", value: "odd,name.example.test" },
        { type: "ip", value: "192.0.2.25" },
        { type: "email", value: "postmaster@example.test" },
      ],
      eku: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4", "2.5.29.37.0", "1.2.3.4"],
    });
    const result = analyze([leaf, intermediate]);
    expect(result?.subjectAltNames).toEqual([
      "DNS:mx.example.test",
      "DNS:odd,name.example.test",
      "IP Address:192.0.2.25",
      "email:postmaster@example.test",
    ]);
    expect(result?.extendedKeyUsage).toEqual([
      "serverAuth",
      "clientAuth",
      "emailProtection",
      "anyExtendedKeyUsage",
      "1.2.3.4",
    ]);
    expect(result?.chain[1]?.subjectAltNames).toEqual([]);
    expect(result?.chain[1]?.extendedKeyUsage).toEqual([]);
  });

  it("names joined with commas, signature algorithm named, digests of the certificate and its key", async () => {
    const leaf = await leafFor(intermediate);
    const result = analyze([leaf, intermediate]);
    expect(result?.subject).toBe("CN=mx.example.test");
    expect(result?.issuer).toBe("CN=Mutation Intermediate, O=mailcharter lab");
    expect(result?.chain[1]?.subject).toBe("CN=Mutation Intermediate, O=mailcharter lab");
    expect(result?.chain[1]?.issuer).toBe("CN=Mutation Root, O=mailcharter lab");
    expect(result?.signatureAlgorithm).toBe("ecdsa-with-SHA256");
    expect(result?.signatureHash).toBe("SHA-256");
    const spki = leaf.x509.publicKey.export({ type: "spki", format: "der" });
    const hex = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest("hex");
    expect(result?.digests).toEqual({
      certSha256: hex("sha256", leaf.der),
      certSha512: hex("sha512", leaf.der),
      spkiSha256: hex("sha256", spki),
      spkiSha512: hex("sha512", spki),
    });
    expect(result?.digests.certSha256).not.toBe(result?.digests.spkiSha256);
  });

  const keyCases: readonly [string, () => Buffer, string, number | null][] = [
    ["EC P-256", () => spkiOf("ec", { namedCurve: "prime256v1" }), "EC prime256v1", 256],
    ["EC P-384", () => spkiOf("ec", { namedCurve: "secp384r1" }), "EC secp384r1", 384],
    ["EC P-521", () => spkiOf("ec", { namedCurve: "secp521r1" }), "EC secp521r1", 521],
    ["EC secp256k1 (no size known)", () => spkiOf("ec", { namedCurve: "secp256k1" }), "EC secp256k1", null],
    ["Ed25519", () => spkiOf("ed25519", {}), "Ed25519", 256],
    ["Ed448", () => spkiOf("ed448", {}), "Ed448", 456],
    ["RSA-PSS", () => spkiOf("rsa-pss", { modulusLength: 2048 }), "RSA", 2048],
    ["RSA 1024", () => spkiOf("rsa", { modulusLength: 1024 }), "RSA", 1024],
    ["DSA", () => spkiOf("dsa", { modulusLength: 1024, divisorLength: 160 }), "DSA", 1024],
    ["X25519 (another type)", () => spkiOf("x25519", {}), "x25519", null],
  ];
  it("key type and size: an EC key on an unnamed curve (explicit parameters, generator 2G of P-256)", async () => {
    const leaf = await leafFor(intermediate, { spki: Buffer.from(explicitCurveSpki, "hex") });
    const result = analyze([leaf, intermediate]);
    expect(result?.keyType).toBe("EC UNDEF");
    expect(result?.keyBits).toBeNull();
  });

  for (const [label, spki, keyType, keyBits] of keyCases) {
    it(`key type and size: ${label}`, async () => {
      const leaf = await leafFor(intermediate, { spki: spki() });
      const result = analyze([leaf, intermediate]);
      expect(result?.keyType).toBe(keyType);
      expect(result?.keyBits).toBe(keyBits);
    });
  }
});

function spkiOf(type: string, options: object): Buffer {
  const { publicKey } = generateKeyPairSync(type as "ec", options as { namedCurve: string });
  return publicKey.export({ type: "spki", format: "der" });
}

/** P-256's field and coefficients with the generator replaced by 2G: a curve OpenSSL cannot name. */
const explicitCurveSpki =
  "3082014b3082010306072a8648ce3d02013081f7020101302c06072a8648ce3d0101022100ffffffff00000001000000000000000000000000ffffffffffffffffffffffff305b0420ffffffff00000001000000000000000000000000fffffffffffffffffffffffc04205ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b031500c49d360886e704936a6678e1139d26b7819f7e900441047cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc4766997807775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551020101034200048a08a6d773db709848917c456f9fdddf4dbc1e635a733cf6358f4fa64f44450c90ecde02f4460558fc2e6767a168af3c1883bf4552f0b47ff180e4a9eda65e3d";
