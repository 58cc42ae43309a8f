import type { Env } from "../env.js";

/** What notification delivery needs from the configuration. */
export interface DeliverySettings {
  /** A notification still failing this long after it was written is given up. */
  giveUpMs: number;
  /** Linked from every message, when the deployment has a public address. */
  statusUrl: string | null;
}

export const deliverySettings = (env: Pick<Env, "NOTIFICATION_GIVE_UP_HOURS" | "VIGIL_PUBLIC_URL">): DeliverySettings => ({
  giveUpMs: env.NOTIFICATION_GIVE_UP_HOURS * 3600_000,
  statusUrl: env.VIGIL_PUBLIC_URL ? `${env.VIGIL_PUBLIC_URL.replace(/\/$/, "")}/status` : null,
});
