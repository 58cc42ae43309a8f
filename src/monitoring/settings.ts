/** The monitor cycle's settings, built once from the configuration by the composition root (src/settings.ts). */
export interface MonitorSettings {
  taxonomy: string[];
  endMarkers: Set<string>;
  internalNames: Set<string>;
  internalTags: Set<string>;
  idleMs: number;
  overlapMs: number;
  initialLookbackMs: number;
  maxAttempts: number;
  sampleRate: number;
  concurrency: number;
  leaseMs: number;
  budgetMs: number;
  /** Sessions a cycle starts judging at most (seed 001's cost guard: 10). */
  maxSessionsPerCycle: number;
  maxTokensPerCycle: number;
  maxCostPerDayUsd: number;
  priceInPerToken: number;
  priceOutPerToken: number;
  transcriptMaxChars: number;
  diagnosesPerCycle: number;
  verifierDelayMs: number;
  langfuseTimeoutMs: number;
  modelTimeoutMs: number;
  /** Langfuse public-API requests a cycle may make (Cloud Hobby: 30 a minute). */
  langfuseRequestsPerMinute: number;
  /** The least time left with which a Langfuse or model call is still started. */
  minCallMs: number;
}
