/**
 * DKIM's two texts, parsed: the `DKIM-Signature` header field (RFC 6376 §3.5) and the key record
 * published at `selector._domainkey.domain` (§3.6.1). Both are tag lists (§3.2): `tag=value` pairs
 * separated by `;`, folding white space allowed around everything. Parsing is strict where the RFC
 * says MUST (a duplicated tag voids the list, a required tag missing is an error) and tolerant where
 * it says to ignore (unknown tags). Pure: no DNS, no clock.
 */

/** §3.2 tag-list: ordered tags, or why the text is not one. */
export type TagList =
  | { readonly ok: true; readonly tags: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly detail: string };

/** §3.2: tag-name = ALPHA *ALNUMPUNC (ALNUMPUNC adds "_"). */
const tagName = /^[A-Za-z][A-Za-z0-9_]*$/;
const fws = /[ \t\r\n]+/g;

export function parseTagList(text: string): TagList {
  const tags = new Map<string, string>();
  const parts = text.split(";");
  // A trailing ";" is allowed (tag-list = tag-spec *( ";" tag-spec ) [ ";" ]).
  if (parts.length > 1 && (parts[parts.length - 1] ?? "").replace(fws, "") === "") parts.pop();
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq < 0) return { ok: false, detail: `"${clip(part.trim())}" is not tag=value` };
    const name = part.slice(0, eq).replace(fws, "");
    if (!tagName.test(name)) return { ok: false, detail: `"${clip(name)}" is not a tag name` };
    // "Tags with duplicate names MUST NOT occur within a single tag-list; if a tag name does occur
    // more than once, the entire tag-list is invalid."
    if (tags.has(name)) return { ok: false, detail: `the tag ${name}= is given twice` };
    // Leading and trailing FWS are not part of the value (§3.2).
    tags.set(name, part.slice(eq + 1).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ""));
  }
  return { ok: true, tags };
}

const clip = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** Base64 values carry FWS anywhere (§3.5 b=, bh=; §3.6.1 p=). */
const base64Value = (value: string): Buffer | null => {
  const text = value.replace(fws, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return Buffer.from(text, "base64");
};

/** The a= values we know of (RFC 6376 §3.3, RFC 8463 §3). */
export type SigningAlgorithm = "rsa-sha256" | "rsa-sha1" | "ed25519-sha256";
export type Canonicalization = "simple" | "relaxed";

export interface DkimSignature {
  readonly algorithm: SigningAlgorithm;
  readonly signature: Buffer;
  readonly bodyHash: Buffer;
  readonly header: Canonicalization;
  readonly body: Canonicalization;
  /** d=, lower-case. */
  readonly domain: string;
  readonly selector: string;
  /** h=, lower-case, in order (repeats kept: each takes the next instance up, §5.4.2). */
  readonly signedFields: readonly string[];
  /** i=, or `@d` by default (§3.5). */
  readonly identity: string;
  /** l=: bytes of the canonical body signed; null when the whole body is. */
  readonly bodyLength: number | null;
  /** t= and x=, seconds since the epoch. */
  readonly timestamp: number | null;
  readonly expiration: number | null;
}

/** Why a signature field cannot be used at all (RFC 8601 permerror). */
export type SignatureProblem =
  | "syntax" // not a tag list, a value of the wrong shape
  | "missing-tag" // a REQUIRED tag absent (§3.5: v a b bh d h s)
  | "bad-version" // v= other than 1
  | "unsupported-algorithm" // an a= we do not know
  | "from-not-signed" // h= without From (§5.4: "The From header field MUST be signed")
  | "identity-mismatch" // i= not in d= or a subdomain of it (§3.5)
  | "expiry-before-timestamp"; // x= not after t= (§3.5)

export type ParsedSignature =
  | { readonly ok: true; readonly signature: DkimSignature }
  | {
      readonly ok: false;
      readonly problem: SignatureProblem;
      readonly detail: string;
      readonly domain: string | null;
      readonly selector: string | null;
    };

const domainName =
  /^(?=.{1,253}$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** §3.1: a selector is one or more sub-domain labels. */
const selectorName =
  /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
const integer = /^[0-9]{1,76}$/;

function canonicalization(value: string | undefined): [Canonicalization, Canonicalization] | null {
  // §3.5 c=: default simple/simple; "relaxed" alone is relaxed/simple.
  if (value === undefined) return ["simple", "simple"];
  const [header, body = "simple", ...rest] = value.toLowerCase().split("/");
  const known = (c: string | undefined): c is Canonicalization => c === "simple" || c === "relaxed";
  return rest.length === 0 && known(header) && known(body) ? [header, body] : null;
}

/** A DKIM-Signature field's value (after the colon, folding kept). */
export function parseSignature(value: string): ParsedSignature {
  const list = parseTagList(value);
  if (!list.ok) return { ok: false, problem: "syntax", detail: list.detail, domain: null, selector: null };
  const tag = (name: string) => list.tags.get(name);
  const d = tag("d")?.toLowerCase() ?? null;
  const s = tag("s") ?? null;
  const failed = (problem: SignatureProblem, detail: string): ParsedSignature => ({
    ok: false,
    problem,
    detail,
    domain: d,
    selector: s,
  });
  for (const name of ["v", "a", "b", "bh", "d", "h", "s"])
    if (tag(name) === undefined)
      return failed("missing-tag", `the required tag ${name}= is absent (RFC 6376 §3.5)`);
  if (tag("v") !== "1")
    return failed("bad-version", `v=${clip(tag("v") ?? "")}: only version 1 exists (RFC 6376 §3.5)`);
  const a = (tag("a") ?? "").toLowerCase();
  if (a !== "rsa-sha256" && a !== "rsa-sha1" && a !== "ed25519-sha256")
    return failed("unsupported-algorithm", `a=${clip(a)} is not rsa-sha256 or ed25519-sha256`);
  const signature = base64Value(tag("b") ?? "");
  const bodyHash = base64Value(tag("bh") ?? "");
  if (!signature || signature.length === 0) return failed("syntax", "b= is not base64");
  if (!bodyHash || bodyHash.length === 0) return failed("syntax", "bh= is not base64");
  const c = canonicalization(tag("c")?.replace(fws, ""));
  if (!c) return failed("syntax", `c=${clip(tag("c") ?? "")}: not simple or relaxed`);
  if (d === null || !domainName.test(d)) return failed("syntax", `d=${clip(d ?? "")} is not a domain name`);
  if (s === null || !selectorName.test(s)) return failed("syntax", `s=${clip(s ?? "")} is not a selector`);
  const signedFields = (tag("h") ?? "")
    .split(":")
    .map((n) => n.replace(fws, "").toLowerCase())
    .filter((n) => n !== "");
  if (!signedFields.includes("from"))
    return failed("from-not-signed", "h= does not list From (RFC 6376 §5.4)");
  // §3.5 i=: "The domain part of the address MUST be the same as, or a subdomain of, the value of d=".
  const identity = tag("i")?.replace(fws, "") ?? `@${d}`;
  const at = identity.lastIndexOf("@");
  const identityDomain = at < 0 ? null : identity.slice(at + 1).toLowerCase();
  if (identityDomain === null || !(identityDomain === d || identityDomain.endsWith(`.${d}`)))
    return failed("identity-mismatch", `i=${clip(identity)} is not within d=${d}`);
  const number = (name: string): number | null | "bad" => {
    const text = tag(name)?.replace(fws, "");
    if (text === undefined) return null;
    return integer.test(text) ? Number(text) : "bad";
  };
  const l = number("l");
  const t = number("t");
  const x = number("x");
  if (l === "bad" || t === "bad" || x === "bad") return failed("syntax", "l=, t= or x= is not a number");
  if (t !== null && x !== null && x <= t)
    return failed("expiry-before-timestamp", `x=${x} is not after t=${t} (RFC 6376 §3.5)`);
  const q = tag("q");
  if (q !== undefined && !q.split(":").some((m) => m.replace(fws, "").toLowerCase() === "dns/txt"))
    return failed("syntax", `q=${clip(q)}: dns/txt is the only query method (RFC 6376 §3.5)`);
  return {
    ok: true,
    signature: {
      algorithm: a,
      signature,
      bodyHash,
      header: c[0],
      body: c[1],
      domain: d.replace(/\.$/, ""),
      selector: s,
      signedFields,
      identity,
      bodyLength: l,
      timestamp: t,
      expiration: x,
    },
  };
}

/** The key record (§3.6.1). */
export interface DkimKeyRecord {
  /** k=: "rsa" by default; RFC 8463 adds "ed25519". */
  readonly keyType: string;
  /** p= decoded; empty: the key is revoked (§3.6.1). */
  readonly publicKey: Buffer;
  /** h=: hash algorithms the key may be used with; null = any. */
  readonly hashes: readonly string[] | null;
  /** s=: service types ("*" or "email" for us). */
  readonly services: readonly string[];
  /** t=y: the domain is testing DKIM; t=s: i= must be exactly d=, no subdomain. */
  readonly testing: boolean;
  readonly strict: boolean;
}

export type ParsedKey =
  | { readonly ok: true; readonly key: DkimKeyRecord }
  | { readonly ok: false; readonly detail: string };

export function parseKeyRecord(text: string): ParsedKey {
  const list = parseTagList(text);
  if (!list.ok) return list;
  const tag = (name: string) => list.tags.get(name);
  const v = tag("v");
  // §3.6.1 v=: "If specified, this tag MUST be set to "DKIM1" … This tag MUST be the first tag".
  if (v !== undefined && (v !== "DKIM1" || [...list.tags.keys()][0] !== "v"))
    return { ok: false, detail: `v=${clip(v)} is not DKIM1 as the first tag` };
  const p = tag("p");
  if (p === undefined) return { ok: false, detail: "no p= tag (RFC 6376 §3.6.1 requires it)" };
  const publicKey = base64Value(p);
  if (!publicKey) return { ok: false, detail: "p= is not base64" };
  const list_ = (name: string) =>
    tag(name)
      ?.split(":")
      .map((x) => x.replace(fws, "").toLowerCase())
      .filter((x) => x !== "");
  const flags = list_("t") ?? [];
  return {
    ok: true,
    key: {
      keyType: (tag("k") ?? "rsa").replace(fws, "").toLowerCase(),
      publicKey,
      hashes: list_("h") ?? null,
      services: list_("s") ?? ["*"],
      testing: flags.includes("y"),
      strict: flags.includes("s"),
    },
  };
}
