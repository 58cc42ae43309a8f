// Strings that break naive SQL or HTML handling. Used as values everywhere a user can put text.
export const SQL_INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE orchestrations; --",
  '" OR ""="',
  "1; DELETE FROM webhook_events",
  "%' --",
  "\\'; --",
  "') UNION SELECT sql, sql FROM sqlite_master --",
  "Robert'); DROP TABLE agent_executions;--",
  "1 OR 1=1",
  "*/ SELECT 1 /*",
];

export const HTML_INJECTION = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2"><svg onload=alert(1)>"'&`;
