/**
 * DKIM verification (RFC 6376 §6) of a received mail, by us rather than by whichever MTA handed it
 * over: a report mail's signature is what says which organisation sent the report (RFC 8460 §3
 * requires report mails to be signed).
 *
 * For each `DKIM-Signature` field, top first and at most dkimLimits.maxSignatures:
 *   1. parse it (§3.5; dkim-signature.ts) — a field that cannot be used is `permerror`;
 *   2. hash the canonical body, up to `l=` if given, and compare with `bh=` (§3.7);
 *   3. fetch the key from `s._domainkey.d` (§3.6.2) through the injected resolver, every lookup under
 *      one deadline for the whole mail; DNS that does not answer is `temperror`, a name without a key
 *      `permerror`, an empty `p=` a revoked key;
 *   4. verify `b=` over the selected header fields (§5.4.2) and the signature field itself (§3.7),
 *      with rsa-sha256 (RFC 8301) or ed25519-sha256 (RFC 8463).
 * Results are spelled as RFC 8601 §2.7.1 names them. `policy` is what we refuse although it may be
 * valid: rsa-sha1 and RSA keys under 1024 bits (RFC 8301 §3.1, §3.2). A body length limit is noted as a
 * weakness: whatever follows the signed bytes was not signed. Never throws on hostile input.
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { dkimLimits } from "../../core/limits.js";
import type { Clock } from "../../net/clock.js";
import { Deadline, formatMs } from "../../net/deadline.js";
import type { DnsAnswer, Resolver } from "../../net/resolver.js";
import {
  canonicalBody,
  canonicalHeader,
  type RawField,
  selectFields,
  splitMail,
  withoutSignatureValue,
} from "./dkim-canon.js";
import { type DkimKeyRecord, type DkimSignature, parseKeyRecord, parseSignature } from "./dkim-signature.js";

/** RFC 8601 §2.7.1 DKIM results (`neutral` is not used: a signature we cannot process is permerror). */
export type DkimResult = "pass" | "fail" | "policy" | "permerror" | "temperror";

export type DkimReason =
  | "body-hash-mismatch" // bh= is not the hash of the body (the body changed)
  | "signature-mismatch" // b= does not verify (a signed header field changed, or another key)
  | "signature-expired" // x= is past
  | "body-length-beyond-body" // l= larger than the body (§3.4.5)
  | "weak-algorithm" // rsa-sha1 (RFC 8301 §3.1)
  | "key-too-short" // RSA under 1024 bits (RFC 8301 §3.2)
  | "key-too-long" // RSA over the cap: a cost, not a key
  | "no-key" // no key record at the name (§6.1.2)
  | "key-revoked" // p= empty (§3.6.1)
  | "bad-key" // a record that is no key, or a key that is not of its k=
  | "ambiguous-key" // several key records at one name
  | "key-unsuitable" // the key's k=, h=, s= or t=s forbid this use
  | "dns-error" // no answer (timeout, SERVFAIL, refused)
  | "field-too-large" // a DKIM-Signature field over its cap
  | "header-too-large" // the header section over its cap: nothing verified
  | "bad-signature"; // the field itself (syntax, missing tag, version, a=, h= without From, i=, x<t)

/** What may make a passing signature worth less than it seems. */
export type DkimWeakness =
  | "body-length-limit" // l= given
  | "unsigned-body" // … and bytes follow the signed part: someone may have added them
  | "testing-key"; // the key says t=y (§3.6.1: treat like an unsigned mail)

export interface SignatureVerdict {
  readonly result: DkimResult;
  readonly reason: DkimReason | null;
  /** For people: what was checked and what was found. */
  readonly detail: string;
  /** d= and s=, when the field named them. */
  readonly domain: string | null;
  readonly selector: string | null;
  readonly algorithm: string | null;
  readonly weaknesses: readonly DkimWeakness[];
}

export interface DkimVerification {
  /** One verdict per signature field verified, top first; empty: the mail is not signed (`none`). */
  readonly signatures: readonly SignatureVerdict[];
  /** Signature fields past the cap, not verified. */
  readonly notVerified: number;
}

export interface DkimVerifyOptions {
  readonly resolver: Resolver;
  readonly clock: Clock;
  readonly limits?: typeof dkimLimits;
}

/** The RFC 8601 result of the mail as a whole: the best of its signatures, or `none`. */
export function overallResult(verification: DkimVerification): DkimResult | "none" {
  const order: DkimResult[] = ["pass", "fail", "policy", "permerror", "temperror"];
  if (verification.signatures.length === 0) return "none";
  if (verification.signatures.some((s) => s.result === "pass")) return "pass";
  // No pass: a temperror says the verdict may change, so it is reported before a failure.
  if (verification.signatures.some((s) => s.result === "temperror")) return "temperror";
  return order.find((r) => verification.signatures.some((s) => s.result === r)) ?? "permerror";
}

export async function verifyDkim(mail: Buffer, options: DkimVerifyOptions): Promise<DkimVerification> {
  const limits = options.limits ?? dkimLimits;
  const split = splitMail(mail, limits.maxHeaderBytes);
  if ("tooLarge" in split)
    return {
      signatures: [
        {
          ...blank,
          result: "permerror",
          reason: "header-too-large",
          detail: `a header section over ${limits.maxHeaderBytes} bytes is not verified`,
        },
      ],
      notVerified: 0,
    };
  const fields = split.fields.filter((f) => f.name.toLowerCase() === "dkim-signature");
  const deadline = new Deadline(options.clock, limits.mailDeadlineMs, limits.dnsStepTimeoutMs);
  const keys = new Map<string, Promise<DnsAnswer<readonly string[]>>>();
  const lookup = (name: string): Promise<DnsAnswer<readonly string[]>> => {
    let answer = keys.get(name);
    if (!answer) {
      answer = deadline.expired()
        ? Promise.resolve({
            ok: false,
            reason: "timeout",
            message: "the mail's lookup deadline had passed",
          } as const)
        : options.resolver.txt(name, deadline.forStep());
      keys.set(name, answer);
    }
    return answer;
  };
  const bodies = new Map<string, string>();
  const body = (how: "simple" | "relaxed") => {
    let text = bodies.get(how);
    if (text === undefined) {
      text = canonicalBody(split.body, how);
      bodies.set(how, text);
    }
    return text;
  };
  const checked = fields.slice(0, limits.maxSignatures);
  const signatures = await Promise.all(
    checked.map((field) =>
      verifyOne(field, split.fields, body, lookup, options.clock, limits).catch(
        (error: unknown): SignatureVerdict => ({
          // A bug in us, not a property of the mail: said as such, never a pass.
          ...blank,
          result: "temperror",
          reason: null,
          detail: `internal error while verifying: ${error instanceof Error ? error.message : String(error)}`,
        }),
      ),
    ),
  );
  return { signatures, notVerified: fields.length - checked.length };
}

const blank: SignatureVerdict = {
  result: "permerror",
  reason: null,
  detail: "",
  domain: null,
  selector: null,
  algorithm: null,
  weaknesses: [],
};

async function verifyOne(
  field: RawField,
  all: readonly RawField[],
  body: (how: "simple" | "relaxed") => string,
  lookup: (name: string) => Promise<DnsAnswer<readonly string[]>>,
  clock: Clock,
  limits: typeof dkimLimits,
): Promise<SignatureVerdict> {
  if (field.raw.length > limits.maxSignatureFieldBytes)
    return {
      ...blank,
      reason: "field-too-large",
      detail: `a DKIM-Signature field of ${field.raw.length} bytes, over the ${limits.maxSignatureFieldBytes} cap`,
    };
  const parsed = parseSignature(field.raw.slice(field.raw.indexOf(":") + 1));
  if (!parsed.ok)
    return {
      ...blank,
      reason: "bad-signature",
      detail: parsed.detail,
      domain: parsed.domain,
      selector: parsed.selector,
    };
  const sig = parsed.signature;
  const about = { domain: sig.domain, selector: sig.selector, algorithm: sig.algorithm };
  const verdict = (
    result: DkimResult,
    reason: DkimReason | null,
    detail: string,
    weaknesses: readonly DkimWeakness[] = [],
  ): SignatureVerdict => ({
    ...about,
    result,
    reason,
    detail,
    weaknesses,
  });
  // RFC 8301 §3.1: "Verifiers MUST NOT consider signatures using rsa-sha1 valid".
  if (sig.algorithm === "rsa-sha1")
    return verdict("policy", "weak-algorithm", "rsa-sha1 is refused (RFC 8301 §3.1)");
  if (sig.signedFields.length > limits.maxSignedFields)
    return verdict(
      "permerror",
      "field-too-large",
      `h= names ${sig.signedFields.length} fields, over the ${limits.maxSignedFields} cap`,
    );
  const now = Math.floor(clock.now() / 1000);
  if (sig.expiration !== null && sig.expiration + limits.clockSkewSeconds < now)
    return verdict("fail", "signature-expired", `x=${sig.expiration} (${iso(sig.expiration)}) is past`);

  // §3.7 body hash, over the first l= bytes when given (§3.4.5).
  const canonical = body(sig.body);
  const weaknesses: DkimWeakness[] = [];
  let signed = canonical;
  if (sig.bodyLength !== null) {
    if (sig.bodyLength > canonical.length)
      return verdict(
        "permerror",
        "body-length-beyond-body",
        `l=${sig.bodyLength} but the canonical body has ${canonical.length} bytes`,
      );
    weaknesses.push("body-length-limit");
    if (sig.bodyLength < canonical.length) weaknesses.push("unsigned-body");
    signed = canonical.slice(0, sig.bodyLength);
  }
  const hash = sig.algorithm === "rsa-sha256" || sig.algorithm === "ed25519-sha256" ? "sha256" : "sha1";
  const computed = createHash(hash).update(signed, "latin1").digest();
  if (!computed.equals(sig.bodyHash))
    return verdict(
      "fail",
      "body-hash-mismatch",
      `the ${sig.body} body hash is not bh= (the body was changed)`,
      weaknesses,
    );

  // §3.6.2 the key.
  const name = `${sig.selector}._domainkey.${sig.domain}`;
  const answer = await lookup(name);
  if (!answer.ok) {
    // §6.1.2: no record is PERMFAIL; a resolver that does not answer is TEMPFAIL.
    if (answer.reason === "not_found" || answer.reason === "no_data")
      return verdict("permerror", "no-key", `no key record at ${name}`, weaknesses);
    return verdict(
      "temperror",
      "dns-error",
      `TXT ${name}: ${answer.message} (lookup timeout ${formatMs(limits.dnsStepTimeoutMs)}, mail deadline ${formatMs(limits.mailDeadlineMs)})`,
      weaknesses,
    );
  }
  const key = pickKey(answer.value, name, limits);
  if ("problem" in key) return verdict("permerror", key.problem, key.detail, weaknesses);
  const record = key.record;
  if (record.publicKey.length === 0)
    return verdict("permerror", "key-revoked", `the key at ${name} is revoked (empty p=)`, weaknesses);
  const unsuitable = unsuitableKey(record, sig);
  if (unsuitable) return verdict("permerror", "key-unsuitable", `${name}: ${unsuitable}`, weaknesses);
  const imported = importKey(record);
  if ("problem" in imported)
    return verdict("permerror", "bad-key", `${name}: ${imported.problem}`, weaknesses);
  if (imported.bits !== null && imported.bits < limits.minRsaBits)
    return verdict(
      "policy",
      "key-too-short",
      `a ${imported.bits}-bit RSA key at ${name} is refused (RFC 8301 §3.2: at least ${limits.minRsaBits})`,
      weaknesses,
    );
  if (imported.bits !== null && imported.bits > limits.maxRsaBits)
    return verdict(
      "policy",
      "key-too-long",
      `a ${imported.bits}-bit RSA key at ${name} is over the ${limits.maxRsaBits}-bit cap`,
      weaknesses,
    );
  if (record.testing) weaknesses.push("testing-key");

  // §3.7 header hash: the selected fields, then the signature field with b= empty and no CRLF.
  const data =
    selectFields(all, sig.signedFields, field)
      .map((f) => `${canonicalHeader(f.raw, sig.header)}\r\n`)
      .join("") + canonicalHeader(withoutSignatureValue(field.raw), sig.header);
  const bytes = Buffer.from(data, "latin1");
  let good: boolean;
  try {
    good =
      sig.algorithm === "ed25519-sha256"
        ? // RFC 8463 §3: Ed25519 (PureEdDSA) over the SHA-256 hash of the header data.
          verify(null, createHash("sha256").update(bytes).digest(), imported.key, sig.signature)
        : verify("sha256", bytes, imported.key, sig.signature);
  } catch (error) {
    return verdict(
      "fail",
      "signature-mismatch",
      `b= cannot be checked with the key at ${name} (${(error as Error).message})`,
      weaknesses,
    );
  }
  if (!good)
    return verdict(
      "fail",
      "signature-mismatch",
      `b= does not verify with the key at ${name} (a signed header field was changed)`,
      weaknesses,
    );
  const bits = imported.bits === null ? "ed25519" : `${imported.bits}-bit RSA`;
  return verdict(
    "pass",
    null,
    `${sig.algorithm}, ${sig.header}/${sig.body}, ${bits} key at ${name}`,
    weaknesses,
  );
}

const iso = (seconds: number) => {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? "out of range" : date.toISOString();
};

function pickKey(
  records: readonly string[],
  name: string,
  limits: typeof dkimLimits,
): { record: DkimKeyRecord } | { problem: DkimReason; detail: string } {
  const keys: DkimKeyRecord[] = [];
  let last = "";
  for (const text of records) {
    if (text.length > limits.maxKeyRecordBytes) {
      last = `a record of ${text.length} bytes, over the ${limits.maxKeyRecordBytes} cap`;
      continue;
    }
    const parsed = parseKeyRecord(text);
    if (parsed.ok) keys.push(parsed.key);
    else last = parsed.detail;
  }
  const only = keys[0];
  if (!only) return { problem: "bad-key", detail: `${name}: no usable key record (${last})` };
  // §3.6.2.2 lets a verifier refuse several records; picking one would let a stray record decide.
  if (keys.length > 1) return { problem: "ambiguous-key", detail: `${name}: ${keys.length} key records` };
  return { record: only };
}

function unsuitableKey(key: DkimKeyRecord, sig: DkimSignature): string | null {
  const wanted = sig.algorithm.startsWith("ed25519") ? "ed25519" : "rsa";
  if (key.keyType !== wanted) return `k=${key.keyType} is not the ${wanted} of a=${sig.algorithm}`;
  if (key.hashes !== null && !key.hashes.includes("sha256"))
    return `h=${key.hashes.join(":")} does not allow sha256`;
  if (!key.services.includes("*") && !key.services.includes("email"))
    return `s=${key.services.join(":")} is not for e-mail`;
  // §3.6.1 t=s: "the "i=" domain MUST NOT be a subdomain of "d="".
  if (key.strict) {
    const domain = sig.identity.slice(sig.identity.lastIndexOf("@") + 1).toLowerCase();
    if (domain !== sig.domain) return `t=s and i=${sig.identity} is a subdomain of d=${sig.domain}`;
  }
  return null;
}

function importKey(key: DkimKeyRecord): { key: KeyObject; bits: number | null } | { problem: string } {
  try {
    if (key.keyType === "ed25519") {
      // RFC 8463 §4.2: p= is the bare 32-byte public key.
      if (key.publicKey.length !== 32)
        return { problem: `an ed25519 key is 32 bytes, not ${key.publicKey.length}` };
      const jwk = { kty: "OKP", crv: "Ed25519", x: key.publicKey.toString("base64url") };
      return { key: createPublicKey({ key: jwk, format: "jwk" }), bits: null };
    }
    // §3.6.1 p=: the SubjectPublicKeyInfo; some publish the bare RSAPublicKey (PKCS#1), also read.
    let object: KeyObject;
    try {
      object = createPublicKey({ key: key.publicKey, format: "der", type: "spki" });
    } catch {
      object = createPublicKey({ key: key.publicKey, format: "der", type: "pkcs1" });
    }
    if (object.asymmetricKeyType !== "rsa")
      return { problem: `k=rsa but p= is a ${object.asymmetricKeyType} key` };
    return { key: object, bits: object.asymmetricKeyDetails?.modulusLength ?? 0 };
  } catch (error) {
    return { problem: `p= is not a public key (${(error as Error).message})` };
  }
}
