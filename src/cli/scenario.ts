/**
 * `npm run --silent scenario -- FILE`: run a scenario file through the credit engine and print
 * one JSON document (SPEC §8). With `--explain`, each usage event's result also says why it was
 * charged or refused (docs/credit-rules.md, "Explaining a decision"). Invalid input exits with
 * status 2 and one line on stderr.
 */
import { readFileSync } from 'node:fs';
import { formatIssue, parseScenario, runScenario } from '../shared/engine';

function fail(message: string): never {
  process.stderr.write(`${message.replace(/\s+/g, ' ').trim()}\n`);
  process.exit(2);
}

function main(argv: string[]): void {
  const explain = argv.includes('--explain');
  const files = argv.filter((arg) => arg !== '--explain');
  const file = files[0];
  if (!file || files.length > 1) fail('usage: npm run --silent scenario -- [--explain] FILE (one scenario file, "-" for standard input)');
  let text: string;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it, so drop it.
    text = readFileSync(file === '-' ? 0 : file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    fail(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const scenario = parseScenario(json);
  if (!scenario.ok) {
    const [first, ...rest] = scenario.issues;
    fail(`${first ? formatIssue(first) : 'invalid scenario'}${rest.length > 0 ? ` (and ${rest.length} more: ${rest.map(formatIssue).join('; ')})` : ''}`);
  }
  process.stdout.write(`${JSON.stringify(runScenario(scenario.value, { explain }), null, 2)}\n`);
}

main(process.argv.slice(2));
