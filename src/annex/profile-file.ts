/**
 * A drafted annex profile read from a JSON file (`--proposed FILE`, `annex check FILE`): size-capped,
 * parsed, validated (profile-schema.ts); every problem is one usage error naming the file and the path
 * inside it. Or a profile named by id: built in, or drafted and kept in the store.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { Profile } from "../audit/profiles/profile.js";
import { profiles } from "../audit/profiles/profiles.js";
import { errorMessage, UsageError } from "../core/errors.js";
import { annexLimits } from "../core/limits.js";
import { type AnnexStore, notAnAnnex } from "./annex-store.js";
import { parseProfile } from "./profile-schema.js";

/** The profile in `text` (named `what` in errors), or a usage error listing every issue with its path. */
export function profileFromText(text: string, what: string): Profile {
  if (Buffer.byteLength(text) > annexLimits.profileMaxBytes)
    throw new UsageError(`${what}: larger than ${annexLimits.profileMaxBytes} bytes`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what}: not JSON (${errorMessage(error)})`);
  }
  const parsed = parseProfile(data);
  if (!parsed.ok) throw new UsageError(`${what}: invalid profile: ${parsed.issues.join("; ")}`);
  return parsed.profile;
}

export function readProfileFile(file: string, option: string): Profile {
  let text: string;
  try {
    if (statSync(file).size > annexLimits.profileMaxBytes)
      throw new UsageError(`${option} ${file}: larger than ${annexLimits.profileMaxBytes} bytes`);
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${option} ${file}: ${errorMessage(error)}`);
  }
  return profileFromText(text, `${option} ${file}`);
}

/** `--proposed FILE|ID`: a profile file, else a built-in or drafted profile id. */
export async function resolveProfile(text: string, option: string, store?: AnnexStore): Promise<Profile> {
  if (existsSync(text)) return readProfileFile(text, option);
  const found =
    profiles.find((p) => p.id === text) ?? (store ? (await store.profile(text))?.profile : undefined);
  if (found) {
    if (!found.measures) throw new UsageError(`${option} ${text}: ${notAnAnnex(text)}`);
    return found;
  }
  throw new UsageError(
    `${option} ${text}: neither a profile file nor a known profile id (${[...profiles.map((p) => p.id), ...(store ? ["or one drafted with annex draft"] : [])].join(", ")})`,
  );
}
