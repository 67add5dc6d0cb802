// The shell side of completion, one small script per shell. Each sends the words up to the cursor to
// `kdbg __complete` and reads cobra's answer (candidates, optional TAB + description, `:DIRECTIVE`), so every
// decision stays in kdbg. Directive bits: 1 error, 2 no space after the candidate, 4 no file names.

export type Shell = 'bash' | 'zsh' | 'fish';

// Words are re-read from the line up to the cursor, so `--namespace=de` and `POD:PATH` reach kdbg whole (bash
// splits them at = and :); bash's own current word (after any = or :) is what the candidates replace.
const bash = `# bash completion for kdbg. Load it with: source <(kdbg completion bash)
_kdbg_complete() {
    local line=\${COMP_LINE:0:COMP_POINT} out directive=0 candidate
    local -a words
    read -ra words <<< "$line"
    [[ $line == *[[:space:]] || \${#words[@]} -eq 0 ]] && words+=("")
    local cur=\${COMP_WORDS[COMP_CWORD]}
    [[ $cur == = || $cur == : ]] && cur=
    out=$("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null)
    local last=\${out##*$'\\n'}
    if [[ $last == :* ]]; then
        directive=\${last#:}
        out=\${out%"$last"}
    fi
    [[ $directive =~ ^[0-9]+$ ]] || directive=0
    (( directive & 1 )) && return 0
    COMPREPLY=()
    while IFS= read -r candidate; do
        candidate=\${candidate%%$'\\t'*}
        [[ -n $candidate && $candidate == "$cur"* ]] && COMPREPLY+=("$candidate")
    done <<< "$out"
    (( directive & 2 )) && compopt -o nospace
    (( directive & 4 )) && compopt +o default
    return 0
}
complete -o default -F _kdbg_complete kdbg
`;

const zsh = `#compdef kdbg
# zsh completion for kdbg. Load it with: source <(kdbg completion zsh)
# (or save it as _kdbg in a folder of $fpath)
compdef _kdbg kdbg

_kdbg() {
    local -a args lines described
    local out directive=0 last flagPrefix line value
    args=("\${(@Q)words[2,CURRENT]}")
    last=\${args[-1]}
    [[ $last == -*=* ]] && flagPrefix=\${last%%=*}=
    out=$("\${(Q)words[1]}" __complete "\${args[@]}" 2>/dev/null)
    lines=("\${(@f)out}")
    if [[ \${lines[-1]} == :* ]]; then
        directive=\${lines[-1]#:}
        lines[-1]=()
    fi
    [[ $directive == <-> ]] || directive=0
    (( directive & 1 )) && return 1
    for line in "\${lines[@]}"; do
        [[ -z $line ]] && continue
        value=\${line%%$'\\t'*}
        value=\${value//:/\\\\:}
        if [[ $line == *$'\\t'* ]]; then described+=("$value:\${line#*$'\\t'}"); else described+=("$value"); fi
    done
    if (( \${#described} == 0 )); then
        (( directive & 4 )) && return 1
        _files
        return
    fi
    local -a opts
    (( directive & 2 )) && opts+=(-S '')
    [[ -n $flagPrefix ]] && opts+=(-P "$flagPrefix")
    _describe -t kdbg-values 'kdbg' described "\${opts[@]}"
}

if [ "$funcstack[1]" = "_kdbg" ]; then
    _kdbg "$@"
fi
`;

// fish completes file names only when the condition fails, so it fails when kdbg offers nothing and allows them.
// fish adds no space after a candidate ending in / or :, which is where kdbg asks for none.
const fish = `# fish completion for kdbg. Load it with: kdbg completion fish | source
function __kdbg_prepare_completions
    set -g __kdbg_comp_results
    set -l args (commandline -opc)
    set -l current (commandline -ct)
    set -l prefix (string match -r -- '^-[^=]*=' $current)
    set -l out ($args[1] __complete $args[2..-1] $current 2>/dev/null)
    set -l directive 0
    if string match -qr -- '^:[0-9]+$' $out[-1]
        set directive (string sub -s 2 -- $out[-1])
        set -e out[-1]
    end
    if test (math "$directive % 2") -eq 1
        return 0
    end
    for line in $out
        test -n "$line"; and set -a __kdbg_comp_results "$prefix$line"
    end
    if test (count $__kdbg_comp_results) -eq 0; and test (math "floor($directive / 4) % 2") -eq 0
        return 1
    end
    return 0
end

complete -c kdbg -e
complete -c kdbg -n __kdbg_prepare_completions -f -a '$__kdbg_comp_results'
`;

export const COMPLETION_SCRIPTS: Record<Shell, string> = { bash, zsh, fish };
