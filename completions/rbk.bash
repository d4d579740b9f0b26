# bash completion for rbk (docs/cli.md). Installed as share/bash-completion/completions/rbk.
# Completes the commands, each command's flags and their values, plan files (*.rbk), journals
# (*.jsonl), scenario names (`rbk sim --list-scenarios`) and the names of a plan's params after -p.

# Prints the param names of plan $2 for rbk binary $1, given the -p NAME=VALUE words that follow:
# the keys of `rbk plan PLAN --format json`'s "params", or, while a required param is missing,
# the one that `rbk plan` says is required.
_rbk_param_names() {
    local bin=$1 plan=$2
    shift 2
    "$bin" plan "$plan" --format json "$@" 2>&1 </dev/null | awk '
        /^  "params": \{/ { inp = 1; next }
        inp && /^  [}]/ { inp = 0 }
        inp && match($0, /^    "[A-Za-z_][A-Za-z0-9_]*":/) { print substr($0, 6, RLENGTH - 7) }
        match($0, /^rbk: param .[A-Za-z_][A-Za-z0-9_]*. is required/) {
            s = substr($0, 13); print substr(s, 1, index(s, "'"'"'") - 1)
        }'
}

_rbk() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion -n = || return
    else
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    fi
    local bin=${words[0]}
    local commands="check fmt plan rbac ast run resume log test sim eval help version"

    # The command: the first word that is not an option.
    local cmd= i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        -*) ;;
        *) cmd=${words[i]}; break ;;
        esac
    done
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help -h --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local run_opts="--param --yes --approve --no-prompt --secret --journal --output --details
        --operator --run-id --kubeconfig --context --steal-lock --no-lock --ignore-deadline
        --script --virtual --epoch --call-log --help"
    local opts args=plan
    # args: what the operands are (plan: .rbk files; plan-or-dir: also directories; journal).
    case $cmd in
    check) opts="--format --help" args=plan-or-dir ;;
    fmt) opts="-w --write --check --help" args=plan-or-dir ;;
    plan) opts="-p --param --format --mutating --verbose --diff --live --kubeconfig --context --help" ;;
    rbac) opts="-p --param -n --namespace --name --help" ;;
    ast) opts="--help" ;;
    run) opts="-p $run_opts" ;;
    resume) opts="--force ${run_opts/--param/}" args=journal ;;
    log) opts="--output --help" args=journal ;;
    test) opts="--scenario -p --param --seed --output --yes --approve --secret --stubs --case
        --verbose -v --ignore-deadline --max-virtual-time -j --jobs --help" args=plan-or-dir ;;
    sim) opts="--listen --scenario --speed --seed --tls-cert --tls-key --client-ca --token --token-sa
        --start-time --quiet --list-scenarios --help" args=none ;;
    help) COMPREPLY=($(compgen -W "${commands% help}" -- "$cur")); return ;;
    *) return ;;
    esac

    # The value of the option before the cursor.
    case $prev in
    --format)
        if [[ $cmd == plan ]]; then
            COMPREPLY=($(compgen -W "text json dot mermaid" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "text json" -- "$cur"))
        fi
        return ;;
    --output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --scenario)
        COMPREPLY=($(compgen -W "$("$bin" sim --list-scenarios 2>/dev/null)" -- "$cur"))
        COMPREPLY+=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
        return ;;
    --start-time) COMPREPLY=($(compgen -W "scenario" -- "$cur")); return ;;
    --kubeconfig | --script | --call-log | --stubs | --tls-cert | --tls-key | --client-ca | --journal)
        COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -p | --param)
        local plan= ps=() j
        for ((j = 2; j < cword; j++)); do
            case ${words[j]} in
            -p | --param) ((j + 1 < cword)) && ps+=(-p "${words[j + 1]}"); ((j++)) ;;
            -p=* | --param=*) ps+=(-p "${words[j]#*=}") ;;
            *.rbk) [[ -z $plan && -f ${words[j]} ]] && plan=${words[j]} ;;
            esac
        done
        [[ -n $plan && $cur != *=* ]] || return
        compopt -o nospace 2>/dev/null
        COMPREPLY=($(compgen -S = -W "$(_rbk_param_names "$bin" "$plan" "${ps[@]}")" -- "${cur%%=*}"))
        return ;;
    --approve | --secret | --operator | --run-id | --epoch | --seed | --speed | --listen | --token | --token-sa | --case | -j | --jobs)
        return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # Operands: plan files (or directories to descend into), journals for resume and log.
    local ext
    case $args in
    plan | plan-or-dir) ext=rbk ;;
    journal) ext=jsonl ;;
    *) return ;;
    esac
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -X "!*.$ext" -- "$cur") $(compgen -d -- "$cur"))
}
complete -F _rbk rbk
