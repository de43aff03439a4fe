#!/usr/bin/env node
// kibana-check: parse Kibana KQL queries with Kibana's own kuery parser (the grammar republished in
// @cybernetex/kbn-es-query) and report, per query, the syntax error or the field names the parsed
// tree compares.
//
// stdin:  {"queries":[{"name":"...","text":"..."}]}
// stdout: {"results":[{"name":"...","ok":true,"fields":["a.b",...],"values":[...]} | {"name":"...","ok":false,"error":"..."}]}
//
// fields are the field names of the `is` and `range` nodes in order, without repeats; values lists
// each `is` node's value as {"field","type":"literal"|"wildcard","parts":[...]}: a literal has one
// part (its text), a wildcard the literal texts between its `*` wildcards.
//
// One shim, documented here and in backends/kibana: that package carries Kibana 7.x's grammar, where
// `{` and `}` are ordinary characters and `\{` is a syntax error. Current Kibana (nested-field
// queries) made them special, so entrasig writes `\{` and `\}` in unquoted values. Both spell the
// literal brace, so before parsing, `\{` and `\}` outside quoted phrases are rewritten to `{`, `}`.
'use strict';

const { fromKueryExpression } = require('@cybernetex/kbn-es-query');

function shimBraces(text) {
  let out = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      const n = text[i + 1];
      if (!quoted && (n === '{' || n === '}')) {
        out += n;
      } else {
        out += c + n;
      }
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    out += c;
  }
  return out;
}

// fieldsOf collects the field names of `is` and `range` nodes, in order, without repeats.
function fieldsOf(node, acc) {
  if (!node || typeof node !== 'object') return acc;
  if (node.type === 'function' && (node.function === 'is' || node.function === 'range')) {
    const f = node.arguments[0];
    if (f && f.type === 'literal' && f.value !== null && !acc.includes(String(f.value))) {
      acc.push(String(f.value));
    }
  }
  for (const a of node.arguments || []) fieldsOf(a, acc);
  return acc;
}

const WILDCARD = '@kuery-wildcard@';

// valuesOf lists the values of `is` nodes in order.
function valuesOf(node, acc) {
  if (!node || typeof node !== 'object') return acc;
  if (node.type === 'function' && node.function === 'is') {
    const [f, v] = node.arguments;
    if (v && v.type === 'wildcard') {
      acc.push({ field: f.value, type: 'wildcard', parts: String(v.value).split(WILDCARD) });
    } else if (v && v.type === 'literal') {
      acc.push({ field: f.value, type: 'literal', parts: [String(v.value)] });
    }
  }
  for (const a of node.arguments || []) valuesOf(a, acc);
  return acc;
}

function main(input) {
  const req = JSON.parse(input);
  const results = (req.queries || []).map(({ name, text }) => {
    try {
      const ast = fromKueryExpression(shimBraces(text));
      return { name, ok: true, fields: fieldsOf(ast, []), values: valuesOf(ast, []) };
    } catch (e) {
      return { name, ok: false, error: String(e.message).split('\n')[0] };
    }
  });
  process.stdout.write(JSON.stringify({ results }) + '\n');
}

let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (data += c));
process.stdin.on('end', () => main(data));
