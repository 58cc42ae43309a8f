/** Hono's typed context for Vigil's app. */
export type AppEnv = { Variables: { requestId: string } };
