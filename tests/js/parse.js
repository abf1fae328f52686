"use strict";
// Read Argdown files with Argdown's own parser (@argdown/core) and print, as one JSON object keyed by
// file name, what its model holds: statements (equivalence classes), arguments, relations, sections,
// front matter and every lexer/parser/plugin error. Used by tests/test_argdown.py, which batches many
// files through one process:  node tests/js/parse.js A.argdown B.argdown ...
const fs = require("fs");
const core = require("@argdown/core");

const app = new core.ArgdownApplication();
app.addPlugin(new core.ParserPlugin(), "parse-input");
app.addPlugin(new core.DataPlugin(), "build-model");
app.addPlugin(new core.ModelPlugin(), "build-model");

const clean = (text) => (text || "").trim();
const ref = (element) => ({ type: element.type, title: element.title });

function describe(input) {
  let response;
  try {
    response = app.run({ process: ["parse-input", "build-model"], input, logLevel: "none" });
  } catch (err) {
    return { errors: [`exception: ${err.message}`] };
  }
  const errors = [];
  for (const e of response.lexerErrors || []) errors.push(`lexer: ${e.line}:${e.column}: ${e.message}`);
  for (const e of response.parserErrors || []) {
    const t = e.token || {};
    errors.push(`parser: ${t.startLine}:${t.startColumn}: ${e.message}`);
  }
  for (const e of response.exceptions || []) errors.push(`exception: ${e.message || e}`);
  const statements = {};
  for (const [title, ec] of Object.entries(response.statements || {})) {
    const texts = ec.members.map((m) => clean(m.text)).filter((t) => t !== "");
    statements[title] = {
      text: clean(core.IEquivalenceClass.getCanonicalMemberText(ec)),
      texts,
      data: ec.data === undefined ? null : ec.data,
      section: ec.section ? ec.section.title : null,
      roles: Array.from(new Set(ec.members.map((m) => m.role))).sort(),
    };
  }
  const args = {};
  for (const [title, a] of Object.entries(response.arguments || {})) {
    args[title] = {
      texts: (a.members || []).map((m) => clean(m.text)).filter((t) => t !== ""),
      data: a.data === undefined ? null : a.data,
      section: a.section ? a.section.title : null,
      pcs: (a.pcs || []).map((s) => ({ role: s.role, title: s.title, text: clean(s.text) })),
    };
  }
  const relations = (response.relations || []).map((r) => ({
    from: ref(r.from), to: ref(r.to), type: r.relationType,
  }));
  const sections = (response.sections || []).map((s) => ({ title: s.title, level: s.level, data: s.data || null }));
  return { errors, statements, arguments: args, relations, sections, frontMatter: response.frontMatter || null };
}

const out = {};
for (const file of process.argv.slice(2)) {
  out[file] = describe(fs.readFileSync(file, "utf8"));
}
process.stdout.write(JSON.stringify(out));
