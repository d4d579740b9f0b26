# fish completion for rbk (docs/cli.md). Installed as share/fish/vendor_completions.d/rbk.fish.
# Completes the commands, each command's flags and their values, plan files (*.rbk), journals
# (*.jsonl), scenario names (`rbk sim --list-scenarios`) and the names of a plan's params after -p.

set -l rbk_commands check fmt plan rbac ast run resume log test sim eval help version

# Prints the param names of the plan on the command line: the keys of
# `rbk plan PLAN --format json`'s "params" (given the -p NAME=VALUE already typed), or, while a
# required param is missing, the one that `rbk plan` says is required.
function __rbk_params
    set -l words (commandline -opc)
    set -l plan
    set -l ps
    set -l i 3
    while test $i -le (count $words)
        switch $words[$i]
            case -p --param
                set i (math $i + 1)
                test $i -le (count $words); and set -a ps -p $words[$i]
            case '-p=*' '--param=*'
                set -a ps -p (string replace -r '^[^=]*=' '' -- $words[$i])
            case '*.rbk'
                test -z "$plan"; and test -f $words[$i]; and set plan $words[$i]
        end
        set i (math $i + 1)
    end
    test -n "$plan"; or return
    $words[1] plan $plan --format json $ps 2>&1 </dev/null | awk '
        /^  "params": \{/ { inp = 1; next }
        inp && /^  [}]/ { inp = 0 }
        inp && match($0, /^    "[A-Za-z_][A-Za-z0-9_]*":/) { print substr($0, 6, RLENGTH - 7) "=" }
        match($0, /^rbk: param .[A-Za-z_][A-Za-z0-9_]*. is required/) {
            s = substr($0, 13); print substr(s, 1, index(s, "\047") - 1) "="
        }'
end

# Prints the built-in scenario names.
function __rbk_scenarios
    set -l words (commandline -opc)
    $words[1] sim --list-scenarios 2>/dev/null
end

# Prints the files with extension $argv[1] and the directories under the current token.
function __rbk_files
    set -l tok (commandline -ct)
    for f in $tok*
        if test -d $f
            echo $f/
        else if string match -q -- "*.$argv[1]" $f
            echo $f
        end
    end
end

complete -c rbk -f
complete -c rbk -n __fish_use_subcommand -s h -l help -d 'list the commands'
complete -c rbk -n __fish_use_subcommand -l version -d 'print the version and the library versions'
complete -c rbk -n __fish_use_subcommand -a check -d 'check plans without running them'
complete -c rbk -n __fish_use_subcommand -a fmt -d 'print plans in the canonical layout'
complete -c rbk -n __fish_use_subcommand -a plan -d 'dry-run: print the action graph'
complete -c rbk -n __fish_use_subcommand -a rbac -d 'print the least-privilege RBAC of a plan'
complete -c rbk -n __fish_use_subcommand -a ast -d 'print the syntax tree'
complete -c rbk -n __fish_use_subcommand -a run -d 'execute a plan against the cluster'
complete -c rbk -n __fish_use_subcommand -a resume -d 'continue a run from its journal'
complete -c rbk -n __fish_use_subcommand -a log -d "print a run's journal"
complete -c rbk -n __fish_use_subcommand -a test -d 'rehearse plans in virtual time'
complete -c rbk -n __fish_use_subcommand -a sim -d 'serve the simulated cluster'
complete -c rbk -n __fish_use_subcommand -a help -d 'describe a command'
complete -c rbk -n '__fish_seen_subcommand_from help' -a 'check fmt plan rbac ast run resume log test sim'
complete -c rbk -n "__fish_seen_subcommand_from $rbk_commands" -s h -l help -d 'show help'

# Operands.
complete -c rbk -n '__fish_seen_subcommand_from check fmt plan rbac ast run test' -a '(__rbk_files rbk)'
complete -c rbk -n '__fish_seen_subcommand_from resume log' -a '(__rbk_files jsonl)'

# Params, for plan, rbac, run and test.
complete -c rbk -n '__fish_seen_subcommand_from plan rbac run test' -s p -l param -x -a '(__rbk_params)' -d 'set a param'

complete -c rbk -n '__fish_seen_subcommand_from check' -l format -x -a 'text json' -d 'diagnostics format'
complete -c rbk -n '__fish_seen_subcommand_from fmt' -s w -l write -d 'rewrite the files in place'
complete -c rbk -n '__fish_seen_subcommand_from fmt' -l check -d 'list the files that are not formatted'
complete -c rbk -n '__fish_seen_subcommand_from plan' -l format -x -a 'text json dot mermaid' -d 'output format'
complete -c rbk -n '__fish_seen_subcommand_from plan' -l mutating -d 'only the actions that change the world'
complete -c rbk -n '__fish_seen_subcommand_from plan' -l verbose -d 'text: every node, proc returns and asserts included'
complete -c rbk -n '__fish_seen_subcommand_from plan' -l diff -r -d 'print what changes from OLD (a file or REV:path)'
complete -c rbk -n '__fish_seen_subcommand_from plan' -l live -d 'read the cluster, send its writes as dry runs'
complete -c rbk -n '__fish_seen_subcommand_from rbac' -s n -l namespace -x -d 'the ServiceAccount\'s namespace'
complete -c rbk -n '__fish_seen_subcommand_from rbac' -l name -x -d 'the ServiceAccount\'s name'
complete -c rbk -n '__fish_seen_subcommand_from log' -l output -x -a 'text json' -d 'output format'

# run and resume.
set -l runlike '__fish_seen_subcommand_from run resume'
complete -c rbk -n $runlike -l yes -d 'grant every approval'
complete -c rbk -n $runlike -l approve -x -d 'grant the approval whose question or slug is TEXT'
complete -c rbk -n $runlike -l no-prompt -d 'never ask approvals on the terminal'
complete -c rbk -n $runlike -l secret -x -d 'NAME=VALUE or NAME=@FILE'
complete -c rbk -n $runlike -l journal -r -F -d 'journal directory or file'
complete -c rbk -n $runlike -l output -x -a 'text json' -d 'progress format'
complete -c rbk -n $runlike -l details -d "JSON lines with the journal's details"
complete -c rbk -n $runlike -l operator -x -d 'who runs it'
complete -c rbk -n $runlike -l run-id -x -d "the run's id"
complete -c rbk -n '__fish_seen_subcommand_from run resume plan' -l kubeconfig -r -F -d 'the kubeconfig'
complete -c rbk -n '__fish_seen_subcommand_from run resume plan' -l context -x -d 'the kubeconfig context'
complete -c rbk -n $runlike -l steal-lock -d 'take over an expired run lock'
complete -c rbk -n $runlike -l no-lock -d 'run without the run lock'
complete -c rbk -n $runlike -l ignore-deadline -d 'let the run go on past the deadline'
complete -c rbk -n $runlike -l script -r -F -d 'answer actions from a JSON script (tests)'
complete -c rbk -n $runlike -l virtual -d 'with --script: a virtual clock'
complete -c rbk -n $runlike -l epoch -x -d "the virtual clock's start, ms since 1970"
complete -c rbk -n $runlike -l call-log -r -F -d 'append every action call to FILE'
complete -c rbk -n '__fish_seen_subcommand_from resume' -l force -d 'resume even though the plan changed'

# test.
set -l testing '__fish_seen_subcommand_from test'
complete -c rbk -n $testing -l scenario -x -a '(__rbk_scenarios) (__rbk_files json)' -d 'a built-in scenario or a JSON file'
complete -c rbk -n $testing -l seed -x -d "the simulator's seed"
complete -c rbk -n $testing -l output -x -a 'text json' -d 'output format'
complete -c rbk -n $testing -l yes -d 'grant every approval'
complete -c rbk -n $testing -l approve -x -d 'grant the approval whose question or slug is TEXT'
complete -c rbk -n $testing -l secret -x -d 'NAME=VALUE or NAME=@FILE'
complete -c rbk -n $testing -l stubs -r -F -d 'JSON list of process stubs'
complete -c rbk -n $testing -l case -x -d 'only the sidecar cases whose name matches'
complete -c rbk -n $testing -s v -l verbose -d "show every case's output and world"
complete -c rbk -n $testing -l ignore-deadline -d 'let runs go on past the deadline'
complete -c rbk -n $testing -l max-virtual-time -x -d 'stop a rehearsal past this virtual time'
complete -c rbk -n $testing -s j -l jobs -x -d 'rehearse N cases at once'

# sim.
set -l serving '__fish_seen_subcommand_from sim'
complete -c rbk -n $serving -l listen -x -d 'IPv4 HOST:PORT'
complete -c rbk -n $serving -l scenario -x -a '(__rbk_scenarios) (__rbk_files json)' -d 'a built-in scenario or a JSON file'
complete -c rbk -n $serving -l speed -x -d 'virtual time speed-up'
complete -c rbk -n $serving -l seed -x -d "the simulator's seed"
complete -c rbk -n $serving -l tls-cert -r -F -d 'PEM certificate'
complete -c rbk -n $serving -l tls-key -r -F -d 'PEM key'
complete -c rbk -n $serving -l client-ca -r -F -d 'CA of accepted client certificates'
complete -c rbk -n $serving -l token -x -d 'accept only this bearer token'
complete -c rbk -n $serving -l start-time -x -a scenario -d 'where virtual time 0 sits'
complete -c rbk -n $serving -l quiet -d 'no per-request log'
complete -c rbk -n $serving -l list-scenarios -d 'print the built-in scenario names'
