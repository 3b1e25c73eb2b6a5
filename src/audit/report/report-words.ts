/** The words the reports share in both languages: statuses, verdicts, annex sections. Data. */
import type { MeasureStatus } from "../findings/status.js";
import type { MeasureResult, Verdict } from "../measures/measure.js";
import type { Lang } from "./endpoint-text.js";

export const statusWord: Readonly<Record<MeasureStatus, Readonly<Record<Lang, string>>>> = {
  pass: { fr: "conforme", en: "pass" },
  warn: { fr: "à améliorer", en: "warning" },
  fail: { fr: "non conforme", en: "fail" },
  error: { fr: "indéterminé", en: "undetermined" },
  not_applicable: { fr: "sans objet", en: "not applicable" },
};

/** One sign per status, so that the grid reads without colours (printed in black, colour-blind readers). */
export const statusSign: Readonly<Record<MeasureStatus, string>> = {
  pass: "✓",
  warn: "!",
  fail: "✗",
  error: "?",
  not_applicable: "–",
};

export const verdictWord: Readonly<Record<Verdict, Readonly<Record<Lang, string>>>> = {
  compliant: { fr: "conforme à la charte", en: "compliant with the charter" },
  non_compliant: { fr: "non conforme à la charte", en: "not compliant with the charter" },
  inconclusive: {
    fr: "indéterminé : des mesures n'ont pu être faites",
    en: "inconclusive: some measures could not be made",
  },
};

export const verdictStatus: Readonly<Record<Verdict, MeasureStatus>> = {
  compliant: "pass",
  non_compliant: "fail",
  inconclusive: "error",
};

export interface Section {
  readonly id: "access" | "mx" | "beyond";
  readonly title: Readonly<Record<Lang, string>>;
  readonly short: Readonly<Record<Lang, string>>;
  readonly match: (m: Pick<MeasureResult, "id" | "charter">) => boolean;
}

/** The annex sections, in report order. */
export const sections: readonly Section[] = [
  {
    id: "access",
    title: { fr: "Annexe §1 — accès des utilisateurs", en: "Annex §1 — user access" },
    short: { fr: "§1 accès", en: "§1 access" },
    match: (m) => m.charter && (m.id.startsWith("access.") || m.id.startsWith("webmail.")),
  },
  {
    id: "mx",
    title: { fr: "Annexe §2 — liens entre MTA", en: "Annex §2 — links between MTAs" },
    short: { fr: "§2 MTA", en: "§2 MTA" },
    match: (m) => m.charter && m.id.startsWith("mx."),
  },
  {
    id: "beyond",
    title: { fr: "Au-delà du texte de 2015 (hors verdict)", en: "Beyond the 2015 text (not in the verdict)" },
    short: { fr: "hors verdict", en: "not in verdict" },
    match: (m) => !m.charter,
  },
];
