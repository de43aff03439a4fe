#!/usr/bin/env node
// kusto-check.js: validates Kusto queries with Microsoft's own parser and binder
// (@kusto/language-service-next, Kusto.Language) and a literal-type check of our own.
//
// stdin:  {"tables": {"SigninLogs": "(TimeGenerated:datetime, ...)", ...},
//          "queries": [{"name": "...", "text": "..."}]}
// stdout: {"results": [{"name": "...", "diagnostics": [{"code", "message", "start", "length"}],
//                       "strings": ["decoded value of each string literal, in text order", ...]}]}
// exit 0 when the input was read (diagnostics or not), 2 on bad input.
//
// Checks per query:
//  1. Kusto.Language ParseAndAnalyze against a database holding the given tables: every error
//     diagnostic (syntax, unknown names, type errors the binder reports).
//  2. Literal types: the binder accepts `string == long`, so every comparison (==, !=, =~, !~, <,
//     <=, >, >=, in, !in, in~, !in~) whose one side is a literal (or a name a `let` binds to a
//     scalar, like a correlation threshold) is checked: its type must be the other side's type
//     (long/int/real/decimal count as one numeric family).
//  3. Serialization: a window function (row_cumsum, prev, next, row_number, ...) must read a row
//     set that a sort, top or serialize made serialized with no summarize, join, ... in between.
//  4. Union splitting: the query's result must not hold a column named <Col>_<type> for a column
//     <Col> of the schema (a union of legs that type one column differently splits it).
'use strict';
const path = require('path');
const base = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
require(path.join(base, 'bridge.js'));
require(path.join(base, 'Kusto.Language.Bridge.js'));
const K = Kusto.Language;

function readStdin() {
  const chunks = [];
  const fs = require('fs');
  const buf = Buffer.alloc(65536);
  for (;;) {
    let n;
    try { n = fs.readSync(0, buf, 0, buf.length, null); } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.slice(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function list(coll, T) {
  const out = [];
  if (!coll) return out;
  const n = System.Array.getCount(coll, T);
  for (let i = 0; i < n; i++) out.push(System.Array.getItem(coll, i, T));
  return out;
}

const numeric = new Set(['long', 'int', 'real', 'decimal']);
function family(t) { return numeric.has(t) ? 'number' : t; }

function typeName(expr) {
  const t = expr && expr.ResultType;
  return t ? t.Name : null;
}

function isLiteral(expr) {
  return expr && K.Syntax.LiteralExpression && expr instanceof K.Syntax.LiteralExpression;
}

// isLetConstant: a name bound by a `let` to a scalar (a correlation threshold such as
// `let threshold = 10;`): it stands for a literal, so its type is checked like one.
function isLetConstant(expr) {
  return expr && expr instanceof K.Syntax.NameReference && expr.ReferencedSymbol instanceof K.Symbols.VariableSymbol &&
    typeName(expr) && typeName(expr) !== 'dynamic';
}

function isLiteralLike(expr) { return isLiteral(expr) || isLetConstant(expr); }

const compareOps = new Set(['==', '!=', '=~', '!~', '<', '<=', '>', '>=']);

function children(node) {
  const out = [];
  for (let i = 0; i < node.ChildCount; i++) out.push(node.GetChild(i));
  return out;
}

// listElements returns the expressions of an ExpressionList: (a, b, c).
function listElements(exprList) {
  const out = [];
  for (const c of children(exprList)) {
    if (c && c.ChildCount && !(c instanceof K.Syntax.SyntaxToken)) {
      for (const sep of children(c)) {
        const first = sep && sep.ChildCount ? sep.GetChild(0) : null;
        if (first) out.push(first);
      }
    }
  }
  return out;
}

function text(node) { return node.toString().trim(); }

function mismatch(lit, other) {
  const lt = typeName(lit), ot = typeName(other);
  return lt && ot && ot !== 'dynamic' && ot !== 'error' && family(lt) !== family(ot) ? [lt, ot] : null;
}

function literalChecks(code, diags) {
  const visit = (node) => {
    if (!node) return;
    if (node instanceof K.Syntax.BinaryExpression && compareOps.has(node.Operator.Text)) {
      const l = node.Left, r = node.Right;
      for (const [lit, other] of [[r, l], [l, r]]) {
        if (isLiteralLike(lit) && !isLiteralLike(other)) {
          const mm = mismatch(lit, other);
          if (mm) diags.push({ code: 'LITERAL_TYPE', message: `literal ${text(lit)} of type ${mm[0]} compared to ${text(other)} of type ${mm[1]}`, start: node.TextStart, length: node.Width });
        }
      }
    } else if (node instanceof K.Syntax.InExpression) {
      for (const e of listElements(node.Right)) {
        if (!isLiteral(e)) continue;
        const mm = mismatch(e, node.Left);
        if (mm) diags.push({ code: 'LITERAL_TYPE', message: `literal ${text(e)} of type ${mm[0]} in a list compared to ${text(node.Left)} of type ${mm[1]}`, start: node.TextStart, length: node.Width });
      }
    }
    for (const c of children(node)) visit(c);
  };
  visit(code.Syntax);
}

// Window functions need a serialized row set (window-functions, serialize-operator on
// learn.microsoft.com): sort/order, top and serialize emit one; count, distinct, evaluate, facet,
// join, make-series, mv-expand, reduce, sample, sample-distinct, summarize and top-nested do not;
// every other operator keeps its input's serialization. The binder does not check this.
const windowFunctions = new Set(['row_cumsum', 'prev', 'next', 'row_number', 'row_rank_dense', 'row_rank_min', 'row_window_session']);
const serializing = new Set(['SortOperator', 'TopOperator', 'SerializeOperator']);
const unserializing = new Set(['CountOperator', 'DistinctOperator', 'EvaluateOperator', 'FacetOperator', 'JoinOperator',
  'MakeSeriesOperator', 'MvExpandOperator', 'ReduceByOperator', 'SampleOperator', 'SampleDistinctOperator',
  'SummarizeOperator', 'TopNestedOperator']);
function kindOf(node) { return node && node.constructor && node.constructor.$$name ? node.constructor.$$name.replace(/^.*\./, '') : ''; }

function serialized(expr) {
  while (expr instanceof K.Syntax.PipeExpression) {
    const k = kindOf(expr.Operator);
    if (serializing.has(k)) return true;
    if (unserializing.has(k)) return false;
    expr = expr.Expression;
  }
  return false;
}

function windowCalls(node, out) {
  if (!node || node instanceof K.Syntax.PipeExpression) return out;
  if (node instanceof K.Syntax.FunctionCallExpression && windowFunctions.has(node.Name.SimpleName)) out.push(node);
  for (const c of children(node)) windowCalls(c, out);
  return out;
}

function serializationChecks(code, diags) {
  const visit = (node) => {
    if (!node) return;
    if (node instanceof K.Syntax.PipeExpression) {
      const calls = windowCalls(node.Operator, []);
      const ok = serializing.has(kindOf(node.Operator)) || serialized(node.Expression);
      if (!ok) {
        for (const c of calls) diags.push({ code: 'NOT_SERIALIZED', message: `window function ${c.Name.SimpleName}() over a row set that is not serialized (sort or serialize first)`, start: c.TextStart, length: c.Width });
      }
    }
    for (const c of children(node)) visit(c);
  };
  visit(code.Syntax);
}

// stringLiterals returns the values Kusto's lexer decodes from the query's string literals, so the
// caller can prove its escaping round-trips.
function stringLiterals(code) {
  const out = [];
  const visit = (node) => {
    if (!node) return;
    if (isLiteral(node) && typeName(node) === 'string' && node.LiteralValueInfo) out.push(node.LiteralValueInfo.Value);
    for (const c of children(node)) visit(c);
  };
  visit(code.Syntax);
  return out;
}

function main() {
  let input;
  try { input = JSON.parse(readStdin()); } catch (e) {
    process.stderr.write('kusto-check: input is not JSON: ' + e.message + '\n');
    process.exit(2);
  }
  const tables = [];
  const columns = new Set();
  for (const name of Object.keys(input.tables || {}).sort()) {
    const schema = input.tables[name];
    tables.push(new K.Symbols.TableSymbol.$ctor7(name, schema, null));
    for (const m of schema.replace(/^\(|\)$/g, '').split(',')) {
      const c = m.trim().split(':')[0];
      if (c) columns.add(c);
    }
  }
  const db = new K.Symbols.DatabaseSymbol.ctor('db', tables);
  const globals = K.GlobalState.Default.WithDatabase(db);
  const results = [];
  for (const q of input.queries || []) {
    const diags = [];
    const code = K.KustoCode.ParseAndAnalyze(q.text, globals);
    for (const d of list(code.GetDiagnostics(), K.Diagnostic)) {
      if (d.Severity !== 'Error') continue;
      diags.push({ code: d.Code, message: d.Message, start: d.Start, length: d.Length });
    }
    literalChecks(code, diags);
    serializationChecks(code, diags);
    const rt = code.ResultType;
    if (rt && rt.Columns) {
      for (const c of list(rt.Columns, K.Symbols.ColumnSymbol)) {
        const m = /^(.*)_([a-z]+)$/.exec(c.Name);
        if (m && columns.has(m[1]) && !columns.has(c.Name)) {
          diags.push({ code: 'UNION_SPLIT', message: `the result splits column ${m[1]} into ${c.Name}`, start: 0, length: 0 });
        }
      }
    }
    results.push({ name: q.name, diagnostics: diags, strings: stringLiterals(code) });
  }
  process.stdout.write(JSON.stringify({ results }, null, 1) + '\n');
}

main();
