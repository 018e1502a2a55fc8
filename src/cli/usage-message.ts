import type { CommandUnknownOpts, CommanderError } from '@commander-js/extra-typings';

/**
 * The one line a command's usage error prints, from commander's message: its "(Did you mean …?)"
 * second line folded in, and what to do added where commander says only what is wrong.
 */
export function usageMessage(error: CommanderError, command: CommandUnknownOpts): string {
  const [first = '', ...rest] = error.message.replace(/^error: /, '').split('\n');
  const name = `wayback ${command.name()}`;
  // commander 14 puts its suggestion on a line of its own: "(Did you mean --dry-run?)".
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(' ').trim())?.[1];
  if (suggestion !== undefined) return `${first} (did you mean ${suggestion}?); ${name} --help lists the options`;
  if (error.code === 'commander.missingArgument') {
    const argument = /'([^']+)'/.exec(first)?.[1];
    const declared = command.registeredArguments.find((a) => a.name() === argument);
    const what = declared?.description === undefined || declared.description === '' ? '' : `: ${declared.description}`;
    return `${first}${what}; usage: ${name} ${command.usage()}`;
  }
  // What is wrong, then where to look: commander says only the first.
  const said = first.replace(/\.$/, '');
  if (error.code === 'commander.excessArguments') return `${said}; usage: ${name} ${command.usage()}`;
  if (['commander.unknownOption', 'commander.optionMissingArgument', 'commander.missingMandatoryOptionValue'].includes(error.code)) {
    return `${said}; ${name} --help lists the options`;
  }
  return [first, ...rest].join(' ');
}
