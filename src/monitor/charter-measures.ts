/** The charter's measures in the order of the annex (§1 user access, §2 links between MTAs), taken
 * from the measure registry so that the history and the agency matrix never keep a second list. */
import type { CharterMeasureId } from "../audit/measures/measure.js";
import { measures } from "../audit/measures/registry.js";

export const charterMeasureIds: readonly CharterMeasureId[] = measures
  .filter((m) => m.charter)
  .map((m) => m.id as CharterMeasureId);
