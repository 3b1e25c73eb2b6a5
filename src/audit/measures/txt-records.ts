/** TXT policy records (SPF, DMARC, TLS-RPT, MTA-STS): the ones of a kind, out of a TXT answer. */
import type { TxtAnswer } from "./audit-facts.js";

export const recordsOf = (answer: TxtAnswer, prefix: RegExp): string[] =>
  answer.ok ? answer.value.filter((r) => prefix.test(r)) : [];
