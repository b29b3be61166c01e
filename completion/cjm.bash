# cjm.bash: bash completion for cjm(1): commands, options, option values (formats, views,
# templates...), journey files, and persona names from the journey file on the command line.
# Commands and options are read from `cjm --help` and `cjm help COMMAND`, so they follow the
# program. Works with or without the bash-completion package.

# "NAME ARG" for each option of a command ("--format FMT", "-T FMT", "--color [WHEN]", "-q").
_cjm_options() {
    "$1" help "$2" 2>/dev/null | awk '
        /^ +-/ {
            n = split($0, f, / +/)
            arg = ""
            for (i = 2; i <= n && f[i] ~ /^-/; i++) {
                o = f[i]; sub(/,$/, "", o)
                if (o ~ /\[=/) { a = o; sub(/^[^[]*\[=/, "", a); sub(/\]$/, "", a); arg = "[" a "]" }
                else if (o ~ /=/) { a = o; sub(/^[^=]*=/, "", a); arg = a }
                sub(/\[?=.*/, "", o)
                names[++k] = o
            }
            for (j = 1; j <= k; j++) print names[j], arg
            k = 0
        }'
}

# The values an option takes, from the command's help ("svg, png, pdf or dot"), the templates,
# or the personas of the journey file.
_cjm_values() { # cjm command option journey-file
    case $3 in
    --color | --colour) echo auto always never; return ;;
    -t | --template) "$1" new --list 2>/dev/null | awk 'NR > 1 { print $1 }'; return ;;
    --persona)
        [ -f "$4" ] && sed -n 's/^[[:space:]]*persona[[:space:]]\{1,\}\([[:alpha:]_][[:alnum:]_]*\).*/\1/p' "$4" | awk '!seen[$0]++'
        return ;;
    --scenario)
        [ -f "$4" ] && sed -n 's/^[[:space:]]*scenario[[:space:]]\{1,\}\([[:alpha:]_][[:alnum:]_]*\).*/\1/p' "$4"
        return ;;
    --trait) # cjm fit --trait NAME=COLUMN: the traits of the journey's personas (`name = ...`)
        [ -f "$4" ] && sed -n 's/^[[:space:]]*\([[:alpha:]_][[:alnum:]_]*\)[[:space:]]*=[^=].*/\1=/p' "$4" | awk '!seen[$0]++'
        return ;;
    esac
    "$1" help "$2" 2>/dev/null | awk -v opt="$3" '
        function flush(   n, i, w, out, parts, items) {
            gsub(/\([^)]*\)/, "", desc)
            n = split(desc, parts, /: /); desc = parts[n]
            gsub(/ or /, ",", desc)
            n = split(desc, items, /,/)
            for (i = 1; i <= n; i++) {
                w = items[i]; gsub(/^ +| +$/, "", w)
                if (w !~ /^[a-z0-9][a-z0-9-]*$/) return
                out = out " " w
            }
            print out
        }
        /^ +-/ {
            if (found) { flush(); found = 0; done = 1 }
            if (done) next
            n = split($0, f, / +/)
            for (i = 2; i <= n && f[i] ~ /^-/; i++) { o = f[i]; sub(/,$/, "", o); sub(/\[?=.*/, "", o); if (o == opt) found = 1 }
            if (found) { desc = ""; for (; i <= n; i++) desc = desc " " f[i] }
            next
        }
        found && /^          +[^ -]/ { desc = desc " " $0; next }
        found { flush(); found = 0; done = 1 }
        END { if (found) flush() }'
}

_cjm() {
    local cjm=${COMP_WORDS[0]} line=${COMP_LINE:0:$COMP_POINT} cur="" prev="" cmd="" file="" word i
    local -a w
    # The words as typed, with any "=" kept inside them.
    read -r -a w <<<"$line"
    if [[ $line != *[[:space:]] && ${#w[@]} -gt 0 ]]; then
        cur=${w[${#w[@]} - 1]}
        unset 'w[${#w[@]}-1]'
    fi
    [[ ${#w[@]} -gt 0 ]] && prev=${w[${#w[@]} - 1]}
    for ((i = 1; i < ${#w[@]}; i++)); do
        if [[ ${w[i]} != -* ]]; then cmd=${w[i]}; break; fi
    done
    for word in "${COMP_WORDS[@]}"; do
        [[ $word == *.journey && -f $word ]] && file=$word
    done
    local IFS=$'\n' opts values arg
    COMPREPLY=()

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W $'--color=\n--help\n--version\n-h\n-V' -- "$cur"))
            [[ $cur == --color=* ]] && COMPREPLY=($(compgen -W $'auto\nalways\nnever' -- "${cur#*=}"))
        else
            COMPREPLY=($(compgen -W "$("$cjm" --help 2>/dev/null | awk '/^Commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }')" -- "$cur"))
        fi
        [[ ${COMPREPLY[0]} == *= ]] && type compopt >/dev/null 2>&1 && compopt -o nospace
        return
    fi

    opts=$(_cjm_options "$cjm" "$cmd")
    # --option=value
    if [[ $cur == --*=* ]]; then
        local opt=${cur%%=*}
        arg=$(printf '%s\n' "$opts" | awk -v o="$opt" '$1 == o { print $2 }')
        if [[ $arg == *FILE* ]]; then
            COMPREPLY=($(compgen -f -- "${cur#*=}"))
            type compopt >/dev/null 2>&1 && compopt -o filenames
        else
            IFS=$' \n' values=$(_cjm_values "$cjm" "$cmd" "$opt" "$file")
            IFS=$' \n' COMPREPLY=($(compgen -W "$values" -- "${cur#*=}"))
        fi
        [[ $COMP_WORDBREAKS == *=* ]] || COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
        return
    fi
    # --option value, -T value
    if [[ $prev == -* && $prev != *=* ]]; then
        arg=$(printf '%s\n' "$opts" | awk -v o="$prev" '$1 == o { print $2 }')
        if [[ -n $arg && $arg != \[* ]]; then
            if [[ $arg == *FILE* ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
                type compopt >/dev/null 2>&1 && compopt -o filenames
            else
                IFS=$' \n' values=$(_cjm_values "$cjm" "$cmd" "$prev" "$file")
                IFS=$' \n' COMPREPLY=($(compgen -W "$values" -- "$cur"))
            fi
            return
        fi
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(printf '%s\n' "$opts" | awk '{ print $1 ($2 != "" && $1 ~ /^--/ ? "=" : "") }')" -- "$cur"))
        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && type compopt >/dev/null 2>&1 && compopt -o nospace
        return
    fi
    case $cmd in
    help) COMPREPLY=($(compgen -W "$("$cjm" --help 2>/dev/null | awk '/^Commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }')" -- "$cur")) ;;
    new | discover) COMPREPLY=($(compgen -f -- "$cur")) ;;
    # after the journey, a log (CSV, gzip, XES): any file
    fit | score)
        if [[ -n $file ]]; then COMPREPLY=($(compgen -f -- "$cur"))
        else COMPREPLY=($(compgen -f -X '!*.journey' -- "$cur") $(compgen -d -- "$cur")); fi ;;
    *) COMPREPLY=($(compgen -f -X '!*.journey' -- "$cur") $(compgen -d -- "$cur")) ;;
    esac
    type compopt >/dev/null 2>&1 && compopt -o filenames
}

complete -F _cjm cjm
