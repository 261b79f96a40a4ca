// `epmd-scan completion bash|zsh|fish`: a completion script for the shell,
// made from the flag table (flags.ts), so it offers exactly the flags --help
// lists: their values where they are a fixed list, files where a file is due.

import type { Flag, Shell } from './flags.js';

const NAME = 'epmd-scan';

/** The completion script for `shell`. */
export function completionScript(shell: Shell, flags: Flag[]): string {
  if (shell === 'bash') return bash(flags);
  if (shell === 'zsh') return zsh(flags);
  return fish(flags);
}

/** A word list safe inside single quotes in every shell here (flags and choices are plain words). */
const words = (list: readonly string[]): string => list.join(' ');

function bash(flags: Flag[]): string {
  const valued = flags.filter((f) => f.value !== '' && !f.optionalValue);
  const cases = valued
    .filter((f) => f.choices || f.file)
    .map((f) => {
      const action = f.choices
        ? `COMPREPLY=($(compgen -W '${words(f.choices)}' -- "$cur"))`
        : `COMPREPLY=($(compgen -f -- "$cur"))`;
      return `    ${f.names.join('|')}) ${action}; return ;;`;
    });
  // A number, a port list, specs: nothing to offer, and no flag either.
  const free = valued.filter((f) => !f.choices && !f.file).flatMap((f) => f.names);
  cases.push(`    ${free.join('|')}) return ;;`);
  return `# bash completion for ${NAME}: source <(${NAME} completion bash)
_epmd_scan() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  if [[ $COMP_CWORD -eq 2 && "\${COMP_WORDS[1]}" == completion ]]; then
    COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")); return
  fi
  case "$prev" in
${cases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W '${words(flags.flatMap((f) => f.names))}' -- "$cur"))
  elif [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W 'completion @local' -- "$cur"))
  fi
}
complete -o default -F _epmd_scan ${NAME}
`;
}

/** Text inside a zsh _arguments spec: brackets, colons and quotes escaped. */
const zshText = (s: string): string => s.replace(/([[\]:\\])/g, '\\$1').replace(/'/g, "'\\''");

function zsh(flags: Flag[]): string {
  const specs = flags.map((f) => {
    const help = zshText(f.description.split(/[:;(]/)[0]?.trim() ?? '');
    let value = '';
    if (f.value !== '') {
      const action = f.choices ? `(${words(f.choices)})` : f.file ? '_files' : ' ';
      value = `${f.optionalValue ? '::' : ':'}${zshText(f.value.slice(1, -1))}:${action}`;
    }
    const names = f.names.length > 1 ? `{${f.names.join(',')}}` : (f.names[0] as string);
    const quoted = `'[${help}]${value}'`;
    return f.names.length > 1
      ? `    '(${f.names.join(' ')})'${names}${quoted}`
      : `    ${names}${quoted}`;
  });
  return `#compdef ${NAME}
# zsh completion for ${NAME}: source <(${NAME} completion zsh), or save as _${NAME} in $fpath
_epmd_scan() {
  if (( CURRENT == 3 )) && [[ \${words[2]} == completion ]]; then
    _values shell bash zsh fish; return
  fi
  _arguments -s -S \\
${specs.map((s) => `${s} \\`).join('\n')}
    '*:target:(completion @local)'
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _epmd_scan "$@"; else compdef _epmd_scan ${NAME}; fi
`;
}

/** Text inside fish single quotes. */
const fishText = (s: string): string => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");

function fish(flags: Flag[]): string {
  const lines = flags.map((f) => {
    const parts = [`complete -c ${NAME}`];
    for (const name of f.names) {
      if (name.startsWith('--')) parts.push(`-l ${name.slice(2)}`);
      else if (name.length === 2) parts.push(`-s ${name.slice(1)}`);
      else parts.push(`-o ${name.slice(1)}`);
    }
    if (f.value !== '' && !f.optionalValue) parts.push(f.file ? '-r -F' : '-x');
    if (f.choices) parts.push(`-a '${words(f.choices)}'`);
    parts.push(`-d '${fishText(f.description.split(/[:;(]/)[0]?.trim() ?? '')}'`);
    return parts.join(' ');
  });
  return `# fish completion for ${NAME}: ${NAME} completion fish | source
complete -c ${NAME} -n '__fish_is_first_arg' -a 'completion' -d 'print a shell completion script'
complete -c ${NAME} -n '__fish_seen_subcommand_from completion' -x -a 'bash zsh fish'
${lines.join('\n')}
`;
}
