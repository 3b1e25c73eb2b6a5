/**
 * The hand-written readings of the commonest Postfix messages (postfix-events.ts: the TLS summary,
 * the delivery status, smtpd's connect and disconnect) give exactly the events the expressions give:
 * on every message of the log fixtures and of a generated MX log, on edge shapes written here, and on
 * thousands of mutations of them (a character replaced, inserted or dropped, the message cut, a
 * fragment of another shape spliced in), read as each of the three services.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatePostfixLog, random } from "../../../bench/logs.js";
import {
  type PostfixEvent,
  parsePostfixMessage,
  parsePostfixMessageByExpressions,
} from "../../../src/indicators/log/postfix-events.js";

const services = ["smtp", "smtpd", "tlsproxy"] as const;

/** The message of a syslog line: what follows its `program[pid]: `. */
function message(line: string): string | null {
  const at = line.search(/\]: /);
  return at < 0 ? null : line.slice(at + 3);
}

const logged = [
  ...["postfix-mixed.txt", "lab-postfix-sender.txt", "lab-postfix-receiver.txt"].flatMap((name) =>
    readFileSync(new URL(`../../fixtures/logs/${name}`, import.meta.url), "utf8").split("\n"),
  ),
  ...generatePostfixLog(3_000).split("\n"),
]
  .map(message)
  .filter((m): m is string => m !== null);

const edges = [
  "Verified TLS connection established to mx.Example.ORG[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
  "Trusted TLS connection established to mx.example.org[2001:db8::1]:25: TLS1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384",
  "Untrusted TLS connection established from unknown[192.0.2.9]: TLSv1.2 with cipher X",
  "Anonymous TLS connection established from c.example[192.0.2.9]:: TLSv1.2 with cipher X",
  "Anonymous TLS connection established from c.example[192.0.2.9]:25:x TLSv1.2 with cipher X",
  "Anonymous TLS connection established from c.example[]: TLSv1.2 with cipher X",
  "Anonymous TLS connection established from [192.0.2.9]: TLSv1.2 with cipher X",
  "Anonymous TLS connection established from c.example[192.0.2.9]: TLSv1.2 with cipher ",
  "Anonymous TLS connection established from c.example[192.0.2.9]: TLSv1.2  with cipher X",
  "Anonymous TLS connection established from c\u0001x[a[b]: TLS\u0001v1.2 with cipher X\u0002Y",
  "Anonymous TLS connection established from c.example[192.0.2.9]: TLSv1.2 with cipher X\u00a0Y",
  "TLSRPT: status=failure, domain=example.org, receiving_mx=mx.example.org[192.0.2.1], failure_type=starttls_not_supported",
  "TLSRPT: to=<a@b>, relay=none, status=sent",
  "A1B2C3: to=<User@Example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)",
  "V1: to=<a@b>, orig_to=<c@d>, relay=mx[192.0.2.1]:25, conn_use=3, tls=dane, status=deferred (x)",
  "T1: to=<a@b>, relay=none, delay=0, status=bounced (Host or domain name not found)",
  "U1: to=<a@b>, relay=local, status=expired, returned to sender",
  "U2: to=<a@b>, relay=local, status=expired",
  "X1: to=<a@b>, relay=mx[192.0.2.1]:25,, status=sent (ok)",
  "X2: to=<a@b>, relay=[192.0.2.1]:25, status=sent ()",
  "X3: to=<a@b>, relay=mx[192.0.2.1]:25:26, status=sent (a) (b)",
  "X4: to=<a@b>, relay=mx[192.0.2.1], status=sent (a), status=deferred (b)",
  "X5: to=<a@b>, relay=mx[192.0.2.1]:25, status=sending (a), status=deferred (b)",
  "X6: to=<a@b>, relay=mx[192.0.2.1]:25, status=sent (a)\r",
  "X7: to=<a@b>, relay=mx[192.0.2.1]:25, status=sent (a\u2028b)",
  "X8: to=<a>b>, relay=mx[192.0.2.1]:25, status=sent",
  "X9: to=<a@b>, orig_to=<c@d>, orig_to=<e@f>, relay=mx[1.2.3.4]:25, status=sent",
  "X10: to=<a@b>, relay=m\u00e9x[192.0.2.1]:25, status=sent",
  "status=sent",
  "connect from Client.Example[198.51.100.7]",
  "connect from unknown[198.51.100.7]:",
  "disconnect from c.example[198.51.100.7] ehlo=2 starttls=1/2 mail=1 quit=1 commands=5/6",
  "disconnect from c.example[198.51.100.7] ehlo=2 xstarttls=1 commands=5",
  "disconnect from c.example[198.51.100.7]\r ehlo=1",
  "disconnect from c.example[198.51.100.7]",
  "lost connection after STARTTLS from c.example[198.51.100.7]",
];

const alphabet = [
  " ",
  "\t",
  "\u00a0",
  "\u2028",
  "\r",
  "\n",
  "[",
  "]",
  ":",
  ",",
  "<",
  ">",
  "(",
  ")",
  "é",
  "\u0001",
  "x",
  "0",
  "9",
  ", status=sent",
  " (z)",
  "orig_to=<a@b>, ",
  ", ",
  "to=<",
  "relay=",
];

/** `count` mutations of `text`, the same ones on every run. */
function mutations(text: string, next: () => number, count: number): string[] {
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const at = Math.floor(next() * (text.length + 1));
    const piece = alphabet[Math.floor(next() * alphabet.length)] as string;
    switch (Math.floor(next() * 4)) {
      case 0:
        out.push(text.slice(0, at) + piece + text.slice(at + 1));
        break;
      case 1:
        out.push(text.slice(0, at) + piece + text.slice(at));
        break;
      case 2:
        out.push(text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3)));
        break;
      default:
        out.push(text.slice(0, at));
    }
  }
  return out;
}

function compare(texts: readonly string[]): Map<PostfixEvent["kind"], number> {
  const kinds = new Map<PostfixEvent["kind"], number>();
  for (const text of texts)
    for (const service of services) {
      const reference = parsePostfixMessageByExpressions(service, text);
      const quick = parsePostfixMessage(service, text);
      if (JSON.stringify(quick) !== JSON.stringify(reference))
        expect({ service, text, event: quick }).toEqual({ service, text, event: reference });
      kinds.set(reference.kind, (kinds.get(reference.kind) ?? 0) + 1);
    }
  return kinds;
}

describe("Postfix messages read by hand and by the expressions", () => {
  it("the messages of the fixtures and of a generated log", () => {
    const kinds = compare(logged);
    for (const kind of ["tls", "delivery", "connect", "disconnect"] as const)
      expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(100);
  });

  it("edge shapes", () => {
    const kinds = compare(edges);
    expect(kinds.get("delivery") ?? 0).toBeGreaterThan(6);
    expect(kinds.get("tls") ?? 0).toBeGreaterThan(8);
  });

  it("mutations of all of them", () => {
    const next = random(20261202);
    const distinct = [...new Set([...logged, ...edges])];
    const texts = distinct.flatMap((t) => mutations(t, next, 12));
    const kinds = compare(texts);
    // Most mutations break a shape, many do not: both are compared.
    expect(kinds.get("other") ?? 0).toBeGreaterThan(1_000);
    for (const kind of ["tls", "delivery", "connect", "disconnect"] as const)
      expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(300);
  });
});
