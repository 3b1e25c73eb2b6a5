/**
 * DKIM signers for tests. `nodemailerSign` is nodemailer's own signer (rsa, relaxed/relaxed), an
 * implementation that is not ours. `testSign` covers what nodemailer cannot (ed25519-sha256, simple
 * canonicalization, l=, t=/x=, a chosen h= list): written here from RFC 6376 §3.4/§3.7 and RFC 8463,
 * on purpose without src/indicators/tlsrpt/dkim-canon.ts, so that a bug there is not copied here.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import DKIM from "nodemailer/lib/dkim/index.js";

export interface TestKey {
  readonly kind: "rsa" | "ed25519";
  readonly privateKey: KeyObject;
  readonly privatePem: string;
  /** The TXT record to publish at selector._domainkey.domain. */
  readonly record: string;
  /** p= alone. */
  readonly p: string;
}

export function rsaKey(bits = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const p = publicKey.export({ format: "der", type: "spki" }).toString("base64");
  return {
    kind: "rsa",
    privateKey,
    privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    record: `v=DKIM1; k=rsa; p=${p}`,
    p,
  };
}

export function ed25519Key(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  // RFC 8463 §4.2: the bare 32-byte key (the last 32 bytes of its SubjectPublicKeyInfo).
  const p = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
  return {
    kind: "ed25519",
    privateKey,
    privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    record: `v=DKIM1; k=ed25519; p=${p}`,
    p,
  };
}

export async function nodemailerSign(
  mail: Buffer,
  options: {
    domain: string;
    selector: string;
    key: TestKey;
    hashAlgo?: "sha256" | "sha1";
    headerFieldNames?: string;
  },
): Promise<Buffer> {
  const signer = new DKIM({
    domainName: options.domain,
    keySelector: options.selector,
    privateKey: options.key.privatePem,
    ...(options.hashAlgo ? { hashAlgo: options.hashAlgo } : {}),
    ...(options.headerFieldNames ? { headerFieldNames: options.headerFieldNames } : {}),
  });
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(mail)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface TestSignOptions {
  readonly domain: string;
  readonly selector: string;
  readonly key: TestKey;
  readonly canon?: "simple/simple" | "relaxed/relaxed" | "relaxed/simple" | "simple/relaxed";
  readonly headers?: readonly string[];
  readonly bodyLength?: "whole" | number;
  readonly timestamp?: number;
  readonly expiration?: number;
  readonly identity?: string;
}

const crlf = (text: string) => text.replace(/\r?\n/g, "\r\n");

function bodyOf(mail: string): { head: string; body: string } {
  const at = mail.indexOf("\r\n\r\n");
  return at < 0 ? { head: mail, body: "" } : { head: mail.slice(0, at + 2), body: mail.slice(at + 4) };
}

function canonBody(body: string, how: string): string {
  if (how === "simple") {
    let b = body;
    while (b.endsWith("\r\n")) b = b.slice(0, -2);
    return `${b}\r\n`;
  }
  const lines = body.split("\r\n").map((l) => l.replace(/[\t ]+$/, "").replace(/[\t ]+/g, " "));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length === 0 ? "" : `${lines.join("\r\n")}\r\n`;
}

function canonField(field: string, how: string): string {
  if (how === "simple") return field;
  const i = field.indexOf(":");
  const value = field
    .slice(i + 1)
    .split("\r\n")
    .join("")
    .replace(/[\t ]+/g, " ")
    .trim();
  return `${field.slice(0, i).trim().toLowerCase()}:${value}`;
}

/** Signs with our own small signer; the new field goes on top. */
export function testSign(mailBytes: Buffer, o: TestSignOptions): Buffer {
  const mail = crlf(mailBytes.toString("latin1"));
  const { head, body } = bodyOf(mail);
  const [hc = "simple", bc = "simple"] = (o.canon ?? "relaxed/relaxed").split("/");
  const fields: string[] = [];
  for (const line of head.split("\r\n").filter((l) => l !== ""))
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  const names = o.headers ?? ["from", "to", "subject", "date"];
  const canonical = canonBody(body, bc);
  const signedBody =
    o.bodyLength === undefined
      ? canonical
      : canonical.slice(0, o.bodyLength === "whole" ? canonical.length : o.bodyLength);
  const bh = createHash("sha256").update(signedBody, "latin1").digest("base64");
  const algorithm = o.key.kind === "rsa" ? "rsa-sha256" : "ed25519-sha256";
  const tags = [
    "v=1",
    `a=${algorithm}`,
    `c=${hc}/${bc}`,
    `d=${o.domain}`,
    `s=${o.selector}`,
    ...(o.identity ? [`i=${o.identity}`] : []),
    ...(o.bodyLength !== undefined ? [`l=${signedBody.length}`] : []),
    ...(o.timestamp !== undefined ? [`t=${o.timestamp}`] : []),
    ...(o.expiration !== undefined ? [`x=${o.expiration}`] : []),
    `h=${names.join(":")}`,
    `bh=${bh}`,
  ];
  const unsigned = `DKIM-Signature: ${tags.join("; ")};\r\n\tb=`;
  // §5.4.2: each name takes the next instance from the bottom.
  const pool = [...fields];
  const picked: string[] = [];
  for (const name of names)
    for (let i = pool.length - 1; i >= 0; i--) {
      const f = pool[i] ?? "";
      if (f.slice(0, f.indexOf(":")).trim().toLowerCase() === name) {
        picked.push(f);
        pool.splice(i, 1);
        break;
      }
    }
  const data = Buffer.from(
    picked.map((f) => `${canonField(f, hc)}\r\n`).join("") + canonField(unsigned, hc),
    "latin1",
  );
  const b =
    o.key.kind === "rsa"
      ? sign("sha256", data, o.key.privateKey)
      : sign(null, createHash("sha256").update(data).digest(), o.key.privateKey);
  return Buffer.from(`${unsigned}${b.toString("base64")}\r\n${mail}`, "latin1");
}
