/** An append-only schema change. Never edit one that has shipped: add the next id. */
export interface Migration {
  id: number;
  name: string;
  statements: string[];
}
