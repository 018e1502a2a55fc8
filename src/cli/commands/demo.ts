import { Command } from '@commander-js/extra-typings';
import { runDemo, type CommandResult, type Narrator, type Proof } from '../../demo/index.js';
import { ExitCode, finishWith } from '../exit-code.js';
import { Output } from '../output.js';
import { describe as describeChangesets } from './changesets.js';
import { describe as describeInit } from './init.js';
import { describe as describeRevert } from './revert.js';
import { describe as describeShow } from './show.js';
import { describe as describeTrack } from './track.js';

const width = 80;

// Not command(): the demo makes its own embedded database, so --db would mean nothing here.
export const demoCommand = new Command('demo')
  .description('the whole way back for data, told step by step on an embedded database: no server, no setup')
  .option('--keep <dir>', 'keep the database in this new or empty directory, to explore it with the CLI afterwards')
  .option('--json', 'print exactly one JSON document on stdout: the proofs and timings, without the story')
  .option('--debug', 'show the stack of an internal error')
  .addHelpText(
    'after',
    '\nExamples:\n  wayback demo\n  wayback demo --keep ./wayback-demo   # and explore it with the CLI afterwards\n\n' +
      'Exit codes: 0 done, every proof held; 1 error, or a proof failed; 2 usage.',
  )
  .action(async (options) => {
    const out = new Output({ json: options.json === true });
    const result = await runDemo({
      ...(options.keep === undefined ? {} : { keep: options.keep }),
      ...(out.json ? {} : { narrator: storyPrinter(out) }),
    });
    out.result(result, () => []);
    if (!result.ok) {
      const failed = result.proofs.filter((proof) => !proof.ok).map((proof) => proof.name);
      if (!out.json) out.error(`the demo's proofs did not hold: ${failed.join(', ')}`);
      finishWith(ExitCode.error);
    }
  });

/** Tells the story on stdout in 80 columns: each command as the user types it, then its own output. */
function storyPrinter(out: Output): Narrator {
  // Proofs and hints come in lists: a blank line before a list, none between its items.
  let last: 'proof' | 'hint' | 'text' = 'text';
  const print = (kind: typeof last, ...lines: string[]) => {
    const spaced = kind !== 'text' && kind === last ? lines : ['', ...lines];
    last = kind;
    process.stdout.write(spaced.map((line) => `${line}\n`).join(''));
  };
  return {
    step: (title) => print('text', out.paint('bold', `── ${title} ${'─'.repeat(Math.max(2, width - title.length - 4))}`)),
    say: (...paragraphs) => {
      for (const paragraph of paragraphs) print('text', ...wrap(paragraph, '', ''));
    },
    quote: (lines) => print('text', ...lines.flatMap((line) => wrap(line, '    ', '        ')).map((line) => out.paint('dim', line))),
    command: (words, result) => {
      print('text', ...commandLines(words).map((line) => out.paint('cyan', line)), ...outputOf(result, out));
      if (result.command === 'revert' && result.result.conflicts.length > 0) {
        process.stdout.write(`${out.paint('dim', `(exit code ${ExitCode.conflicts}: conflicts are left in place)`)}\n`);
      }
    },
    hint: (words) => print('hint', ...commandLines(words).map((line) => `  ${line}`)),
    proof: (proof) => print('proof', ...proofLines(proof, out)),
  };
}

/** What the command itself prints for this result: the very renderer of its own file. */
function outputOf(shown: CommandResult, out: Output): string[] {
  switch (shown.command) {
    case 'init':
      return describeInit(shown.url, shown.result);
    case 'track':
      return describeTrack(shown.result.tracked);
    case 'changesets':
      return describeChangesets(shown.result.changesets, shown.result.total);
    case 'show':
      return describeShow(shown.result);
    case 'revert':
      return describeRevert(shown.result, shown.selector, shown.dryRun, out);
  }
}

/** `$ npx wayback …`, broken with shell continuations so that every line fits and can be pasted as it is. */
function commandLines(words: readonly string[]): string[] {
  const lines: string[] = [];
  let line = '$ npx wayback';
  for (const unit of units(words.map(shellWord))) {
    if (line.length + 1 + unit.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `    ${unit}`;
    } else line = `${line} ${unit}`;
  }
  return [...lines, line];
}

/** The words with each option joined to its value, so `--db pglite:…` never splits across lines. */
function units(words: readonly string[]): string[] {
  const joined: string[] = [];
  for (const word of words) {
    const last = joined.at(-1);
    if (last !== undefined && /^--[a-z-]+$/.test(last) && !word.startsWith('--')) joined[joined.length - 1] = `${last} ${word}`;
    else joined.push(word);
  }
  return joined;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function proofLines(proof: Proof, out: Output): string[] {
  const mark = proof.ok ? out.paint('green', '✓') : out.paint('red', '✗');
  const [first = '', ...rest] = wrap(proof.claim, '    ', '    ');
  return [`  ${mark} ${first.trimStart()}`, ...rest];
}

/** Breaks text into lines of at most 80 columns at spaces; a word longer than that keeps its own line. */
function wrap(text: string, indent: string, hanging: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    const prefix = lines.length === 0 ? indent : hanging;
    if (line.trim() !== '' && [...line].length + 1 + [...word].length > width) {
      lines.push(line);
      line = `${hanging}${word}`;
    } else line = line.trim() === '' ? `${prefix}${word}` : `${line} ${word}`;
  }
  return [...lines, line];
}
