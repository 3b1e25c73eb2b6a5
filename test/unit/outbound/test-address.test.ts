import { describe, expect, it } from "vitest";
import { isLocalPart, newLocalPart, testLocalPart } from "../../../src/outbound/test-address.js";

describe("test addresses", () => {
  it("draws 128 random bits into 26 base32 characters, different every time", () => {
    const a = newLocalPart();
    const b = newLocalPart();
    expect(a).toMatch(/^mc-[a-z2-7]{26}$/);
    expect(a).not.toBe(b);
    expect(newLocalPart(() => Buffer.alloc(16, 0))).toBe(`mc-${"a".repeat(26)}`);
    expect(newLocalPart(() => Buffer.alloc(16, 0xff))).toBe(`mc-${"7".repeat(25)}4`);
  });

  it("accepts only a well-formed local part at the variant's own domain", () => {
    const local = newLocalPart();
    expect(testLocalPart(`${local}@valid.t.example`, "valid.t.example")).toBe(local);
    expect(testLocalPart(`${local.toUpperCase()}@VALID.T.EXAMPLE.`, "valid.t.example")).toBe(local);
    expect(testLocalPart(`${local}@other.example`, "valid.t.example")).toBeNull();
    expect(testLocalPart("postmaster@valid.t.example", "valid.t.example")).toBeNull();
    expect(testLocalPart(`${local}x@valid.t.example`, "valid.t.example")).toBeNull();
    expect(testLocalPart(`@valid.t.example`, "valid.t.example")).toBeNull();
    expect(testLocalPart(`"${local}"@valid.t.example`, "valid.t.example")).toBeNull();
    expect(isLocalPart("mc-0000000000000000000000000")).toBe(false);
  });
});
