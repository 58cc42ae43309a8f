// Which tables a source file's SQL names, read from its string and template literals (never its
// comments): a table after FROM, JOIN, INTO, UPDATE or TABLE, and — where the SQL takes its table
// from a placeholder (`FROM ${table}`) — the table names the file spells as whole literals
// ("webhook_rollups", a literal type, a tuple entry), which is where such a placeholder gets them;
// and the tables a file names to a helper that builds the SQL for it (`olderThan("job_runs", …)`).
import ts from "typescript";

const SQL_TABLE = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+\(?\s*([a-z_][a-z0-9_]*)\b/g;
// Where a template has a placeholder, its text carries this mark instead.
const PLACEHOLDER = "⟪placeholder⟫";
const DYNAMIC_TABLE = new RegExp(`\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+\\(?\\s*${PLACEHOLDER}`);

export interface SqlScan {
  /** Tables named in SQL text. */
  named: Set<string>;
  /** Literals that are exactly a table name (candidates for a placeholder). */
  literals: Set<string>;
  /** The file puts a placeholder where SQL expects a table. */
  dynamic: boolean;
  /** Tables the file passes to a helper that builds their SQL. */
  passed: Set<string>;
}

export function scanSql(fileName: string, text: string, tables: ReadonlySet<string>, helpers: ReadonlySet<string> = new Set()): SqlScan {
  const source = ts.createSourceFile(
    fileName,
    text,
    ts.ScriptTarget.Latest,
    false,
    fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const scan: SqlScan = { named: new Set(), literals: new Set(), dynamic: false, passed: new Set() };
  const sql = (s: string) => {
    for (const m of s.matchAll(SQL_TABLE)) if (tables.has(m[1]!)) scan.named.add(m[1]!);
    if (DYNAMIC_TABLE.test(s)) scan.dynamic = true;
  };
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      sql(node.text);
      if (tables.has(node.text)) scan.literals.add(node.text);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && helpers.has(node.expression.text)) {
      for (const arg of node.arguments) if (ts.isStringLiteralLike(arg) && tables.has(arg.text)) scan.passed.add(arg.text);
    } else if (ts.isTemplateExpression(node)) {
      // A placeholder stays marked in the text, so `FROM ${table}` is seen as a table taken from it.
      sql([node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(PLACEHOLDER));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return scan;
}

/** The tables a file touches: named in SQL, passed to a helper, and, when its SQL takes a table from a placeholder, the tables it spells as literals. */
export const touched = (scan: SqlScan): Set<string> => new Set([...scan.named, ...scan.passed, ...(scan.dynamic ? scan.literals : [])]);
