import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { namesOf, signatureAlgorithmOf } from "../../../src/audit/tls/der.js";
import { type Issued, issue, rootCa } from "../../support/pki.js";

let root: Issued;
let leaf: Issued;
beforeAll(async () => {
  root = await rootCa("DER Root");
  leaf = await issue(root, "mx.der.test", { hash: "SHA-384" });
});

describe("DER readers", () => {
  it("read the signature algorithm", () => {
    expect(signatureAlgorithmOf(leaf.der)).toEqual({
      oid: "1.2.840.113549.1.1.12",
      name: "sha384WithRSAEncryption",
      hash: "SHA-384",
    });
    expect(signatureAlgorithmOf(root.der)?.hash).toBe("SHA-256");
  });
  it("read issuer and subject Names that match Node's view of them", () => {
    const names = namesOf(leaf.der);
    const rootNames = namesOf(root.der);
    expect(names?.issuer.equals(rootNames?.subject ?? Buffer.alloc(0))).toBe(true);
    expect(new X509Certificate(leaf.der).subject).toContain("mx.der.test");
    expect(names?.subject.toString("latin1")).toContain("mx.der.test");
  });
  it("answer null to truncated input", () => {
    expect(signatureAlgorithmOf(leaf.der.subarray(0, 40))).toBeNull();
    expect(namesOf(Buffer.from([0x30, 0x82]))).toBeNull();
  });
});
