/** What notification delivery needs from the configuration. */
export interface DeliverySettings {
  /** A notification still failing this long after it was written is given up. */
  giveUpMs: number;
  /** Linked from every message, when the deployment has a public address. */
  statusUrl: string | null;
}
