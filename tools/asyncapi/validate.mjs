// Validates an AsyncAPI document (and the JSON Schemas it references) with the official
// parser. Exit 1 on any error or warning, printing each diagnostic; 0 when clean.
import { Parser, fromFile } from '@asyncapi/parser';

const path = process.argv[2];
if (!path) {
  console.error('usage: node validate.mjs <asyncapi.yaml>');
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, path).parse();
const SEVERITY = ['error', 'warning', 'info', 'hint'];
const serious = diagnostics.filter((d) => d.severity <= 1);
for (const d of diagnostics) {
  console.log(`${SEVERITY[d.severity]} ${d.code} at ${d.path.join('.')}: ${d.message}`);
}
if (document === undefined || serious.length > 0) {
  process.exit(1);
}
console.log(`valid: ${document.channels().length} channels, ${document.operations().length} operations`);
