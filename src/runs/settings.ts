/** What the heartbeat's run detectors need from the configuration. */
export interface RunSettings {
  /** A running run with no progress for this long is stalled. */
  stallMs: number;
  /** A finished run with more executions is not archived (its hot rows are kept and it alerts). */
  archiveMaxExecutions: number;
}
