import { sourceKey } from "../security/signing-keys.js";

export interface SourceSecrets {
  secrets: string[];
  /** True when the source has no secret of its own and signs with WEBHOOK_SECRET. */
  shared: boolean;
}

/** The declared webhook sources and their secrets, split once from the configuration (src/settings.ts). */
export interface SourceSettings {
  /** Declared names by key (WEBHOOK_SOURCES and each WEBHOOK_SECRET_<KEY>); empty: any name is accepted. */
  declared: string[];
  /** The spelling WEBHOOK_SOURCES lists, by key. */
  spellings: Map<string, string>;
  secrets: { shared: SourceSecrets; own: Map<string, SourceSecrets> };
}

/**
 * A source exists when it is declared (WEBHOOK_SOURCES or its own secret). With nothing
 * declared, any well-formed name is accepted with the shared secret.
 */
export const isDeclaredSource = (sources: SourceSettings, source: string) => sources.declared.includes(sourceKey(source));
export const sourcesAreDeclared = (sources: SourceSettings) => sources.declared.length > 0;

/**
 * The one name a source is stored, deduplicated, counted and rate-limited under. Secrets and
 * declarations match a name by its key (upper-cased, non-alphanumerics as `_`), so every spelling
 * with the same key is the same sender: `META`, `Meta` and `meta` must not be three sources, or a
 * captured delivery replays once per spelling and each spelling opens its own alerts. The name is
 * the spelling WEBHOOK_SOURCES lists; a source declared only by WEBHOOK_SECRET_<KEY> is its key in
 * lower case; any other name is folded to lower case.
 */
export function canonicalSource(sources: SourceSettings, source: string): string {
  const key = sourceKey(source);
  return sources.spellings.get(key) ?? (sources.secrets.own.has(key) ? key.toLowerCase() : source.toLowerCase());
}

/** Counts for requests that cannot be tied to an existing source go under this one name. */
export const UNDECLARED_SOURCE = "(undeclared)";
