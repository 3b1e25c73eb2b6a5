import { describe, expect, it } from "vitest";
import { parseOutboundConfig } from "../../../src/outbound/config.js";

const files: Record<string, string> = { "/etc/mc/valid.pem": "CERT", "/etc/mc/valid.key": "KEY" };
const read = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error("ENOENT: no such file");
  return text;
};
const parse = (json: unknown) => parseOutboundConfig(JSON.stringify(json), "/etc/mc/outbound.json", read);
const valid = {
  kind: "valid",
  domain: "Valid.Outbound.Example",
  mxHost: "mx-valid.outbound.example",
  listen: "192.0.2.10:25",
  certFile: "valid.pem",
  keyFile: "valid.key",
};

describe("outbound-test configuration", () => {
  it("reads the variants, their certificates relative to the file, and the lifetime", () => {
    const c = parse({
      testLifetimeSeconds: 600,
      variants: [
        valid,
        {
          kind: "no-starttls",
          domain: "plain.outbound.example",
          mxHost: "mx-plain.outbound.example",
          listen: "[2001:db8::1]:25",
        },
      ],
    });
    expect(c.testLifetimeMs).toBe(600_000);
    expect(c.variants[0]).toEqual({
      kind: "valid",
      domain: "valid.outbound.example",
      mxHost: "mx-valid.outbound.example",
      listen: { host: "192.0.2.10", port: 25 },
      tls: { certPem: "CERT", keyPem: "KEY" },
    });
    expect(c.variants[1]?.listen).toEqual({ host: "2001:db8::1", port: 25 });
    expect(c.variants[1]?.tls).toBeNull();
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["no variant", JSON.stringify({ variants: [] }), /variants/],
    ["unknown kind", JSON.stringify({ variants: [{ ...valid, kind: "weird" }] }), /variants\.0\.kind/],
    ["unknown field", JSON.stringify({ variants: [valid], extra: 1 }), /extra|Unrecognized/i],
    ["bad listen", JSON.stringify({ variants: [{ ...valid, listen: "192.0.2.1" }] }), /variants\.0\.listen/],
    ["port 0", JSON.stringify({ variants: [{ ...valid, listen: "192.0.2.1:0" }] }), /port/],
    [
      "a kind twice",
      JSON.stringify({ variants: [valid, { ...valid, domain: "b.example", listen: "192.0.2.2:25" }] }),
      /kind: valid is used twice/,
    ],
    [
      "no valid variant",
      JSON.stringify({ variants: [{ ...valid, kind: "expired" }] }),
      /a `valid` variant is needed/,
    ],
    [
      "missing key",
      JSON.stringify({ variants: [{ ...valid, keyFile: undefined }] }),
      /needs certFile and keyFile/,
    ],
    [
      "unreadable certificate",
      JSON.stringify({ variants: [{ ...valid, certFile: "gone.pem" }] }),
      /\/etc\/mc\/gone\.pem: ENOENT/,
    ],
    [
      "certificate on no-starttls",
      JSON.stringify({
        variants: [valid, { ...valid, kind: "no-starttls", domain: "p.example", listen: "192.0.2.3:25" }],
      }),
      /no-starttls takes no certFile/,
    ],
    [
      "lifetime too short",
      JSON.stringify({ testLifetimeSeconds: 1, variants: [valid] }),
      /testLifetimeSeconds/,
    ],
  ])("%s is a configuration error naming the file", (_name, text, message) => {
    expect(() => parseOutboundConfig(text, "/etc/mc/outbound.json", read)).toThrow(message);
    expect(() => parseOutboundConfig(text, "/etc/mc/outbound.json", read)).toThrow(
      /outbound-test config \/etc\/mc\/outbound\.json/,
    );
  });
});
