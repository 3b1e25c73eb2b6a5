/** The charter's measures in the order of the annex (§1 user access, §2 links between MTAs). */
import type { CharterMeasureId } from "../audit/measures/measure.js";

export const charterMeasureIds = [
  "access.tls",
  "access.certificate",
  "access.pfs",
  "access.tls-parameters",
  "access.implicit-tls",
  "access.starttls",
  "webmail.https",
  "webmail.session",
  "mx.starttls",
  "mx.tls-version",
  "mx.cipher",
  "mx.key-exchange",
  "mx.hash",
  "mx.certificate",
  "mx.territory",
] as const satisfies readonly CharterMeasureId[];

// Every charter measure is in the list: this fails to compile when a new one is added to the type.
type Missing = Exclude<CharterMeasureId, (typeof charterMeasureIds)[number]>;
const complete: Missing extends never ? true : never = true;
void complete;
