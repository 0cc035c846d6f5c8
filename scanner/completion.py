"""`complyscan completion bash|zsh`: a shell completion script made from the parser itself, so
it never lists a subcommand or option that does not exist.

    source <(complyscan completion bash)                 # bash, e.g. in ~/.bashrc
    complyscan completion zsh > "${fpath[1]}/_complyscan"  # zsh
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh")

_BASH = """# complyscan completion for bash (complyscan completion bash)
_complyscan() {
    local cur prev cmd i
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -*) ;;
            *) cmd="${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$prev" in
__CHOICES__
    esac
    local opts
    case "$cmd" in
__OPTIONS__
        *) opts="__COMMANDS__ __GLOBAL__" ;;
    esac
    if [[ "$cur" == -* || -z "$cmd" ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o default -F _complyscan complyscan
"""

_ZSH_PREAMBLE = """#compdef complyscan
# complyscan completion for zsh (complyscan completion zsh), through bash's completion
autoload -U +X bashcompinit && bashcompinit
"""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [o for a in parser._actions for o in a.option_strings]


def bash_script(parser: argparse.ArgumentParser) -> str:
    """The bash completion script for `parser` (a `complyscan` parser with subcommands)."""
    subcommands = _subcommands(parser)
    global_opts = " ".join(_options(parser))
    options = "\n".join(
        f'        {name}) opts="{" ".join(_options(sub))}" ;;' for name, sub in subcommands.items()
    )
    choices: dict[str, list[str]] = {}
    for sub in [parser, *subcommands.values()]:
        for action in sub._actions:
            if action.choices and action.option_strings:
                for option in action.option_strings:
                    choices[option] = [str(c) for c in action.choices]
    choice_cases = "\n".join(
        f'        {option}) COMPREPLY=($(compgen -W "{" ".join(values)}" -- "$cur")); return ;;'
        for option, values in sorted(choices.items())
    )
    return (
        _BASH.replace("__CHOICES__", choice_cases or "        --) ;;")
        .replace("__OPTIONS__", options)
        .replace("__COMMANDS__", " ".join(subcommands))
        .replace("__GLOBAL__", global_opts)
    )


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for `shell` (one of SHELLS)."""
    if shell == "zsh":
        return _ZSH_PREAMBLE + bash_script(parser)
    return bash_script(parser)
