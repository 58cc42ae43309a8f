import type { MiddlewareHandler } from "hono";
import type { Db } from "../db/client.js";
import { schemaStatus, schemaVersion } from "../db/migrate.js";
import { UnavailableError } from "../errors.js";

export interface SchemaGuard {
  /** undefined once the schema is known current (no await on the hot path), else the check. */
  ensure(): Promise<void> | undefined;
  middleware: MiddlewareHandler;
}

/**
 * A deployment whose code is ahead of its database answers 503 with what to do, instead of
 * failing later on a raw SQL error. Once the schema is current the check is never repeated.
 */
export function currentSchemaGuard(db: Db): SchemaGuard {
  let current = false;
  const check = async () => {
    const status = await checkSchema(db);
    if (status.behind) throw new UnavailableError(status.message);
    current = true;
  };
  const ensure = () => (current ? undefined : check());
  return {
    ensure,
    middleware: async (_c, next) => {
      await ensure();
      await next();
    },
  };
}

async function checkSchema(db: Db): Promise<{ behind: boolean; version: number; needed: number; message: string }> {
  return schemaStatus(await schemaVersion(db));
}
