# tests/cli/editors.sh: editor support (sourced by tests/run.sh; files in $T): the VS Code grammar
# through VS Code's own tokenizer against golden token files, the extension's manifest, problem
# matcher and snippets, its .vsix; the Vim files in a headless Vim; bash and zsh completion.
# UPDATE=1 rewrites the golden token files (review the diff).

case $CJM in /*) cjm_abs=$CJM ;; *) cjm_abs=$(pwd)/$CJM ;; esac
# The build folder whose program is tested; CJM_BUILD names it when $CJM is a wrapper (make
# memcheck's runs cjm under valgrind: `make install B=<the wrapper's folder>` would build a program
# over the wrapper, and every later command would run without valgrind).
build=${CJM_BUILD:-$(dirname "$cjm_abs")}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac

# ---- every keyword is known to both grammars ----
missing_tm="" missing_vim=""
for kw in $(sed -n 's/^KW("\([a-z]*\)".*/\1/p' lang/keywords.def); do
    grep -q "[(|]$kw[)|]" editors/vscode/syntaxes/journey.tmLanguage.json || missing_tm="$missing_tm $kw"
    grep -q "^syn keyword .*\\<$kw\\>" editors/vim/syntax/journey.vim || missing_vim="$missing_vim $kw"
done
if [ -z "$missing_tm" ]; then ok "editors: the VS Code grammar knows every keyword"; else not_ok "editors: VS Code grammar lacks:$missing_tm"; fi
if [ -z "$missing_vim" ]; then ok "editors: the Vim syntax knows every keyword"; else not_ok "editors: Vim syntax lacks:$missing_vim"; fi
# ... and every built-in function of expressions (lang/expr.def)
missing_fn=""
for fn in $(sed -n 's/^FUNC([A-Z_]*, "\([a-z_]*\)".*/\1/p' lang/expr.def); do
    grep -q "[(|]$fn[)|]" editors/vscode/syntaxes/journey.tmLanguage.json || missing_fn="$missing_fn $fn (VS Code)"
    grep -q "^syn keyword journeyFunction .*\\<$fn\\>" editors/vim/syntax/journey.vim || missing_fn="$missing_fn $fn (Vim)"
done
if [ -z "$missing_fn" ]; then ok "editors: both grammars know every function"; else not_ok "editors: grammars lack:$missing_fn"; fi
# ... and every distribution (lang/builtins.def: the waits' and the traits')
missing_dist=""
for d in $(sed -n 's/^[A-Z_]*([A-Z_]*, "\([a-z]*\)".*/\1/p' lang/builtins.def); do
    grep -q "[(|]$d[)|]" editors/vscode/syntaxes/journey.tmLanguage.json || missing_dist="$missing_dist $d (VS Code)"
    grep -q "^syn keyword journeyDistribution .*\\<$d\\>" editors/vim/syntax/journey.vim || missing_dist="$missing_dist $d (Vim)"
done
if [ -z "$missing_dist" ]; then ok "editors: both grammars know every distribution"; else not_ok "editors: grammars lack:$missing_dist"; fi

# ---- VS Code: the grammar through vscode-textmate, the manifest, the .vsix ----
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP editors: node or npm is not installed: the VS Code grammar, manifest and .vsix tests are skipped"
elif [ -n "${CJM_NO_INSTALL:-}" ] && ! { [ -d "$build/editors/node_modules/vscode-textmate" ] &&
    cmp -s tests/editors/package.json "$build/editors/package.json"; }; then
    echo "SKIP editors: the npm packages are not installed in $build/editors (make check installs nothing; make test does)"
elif ! sh tests/editors/npm-install.sh "$build/editors" 2>"$T/npm.err"; then
    not_ok "editors: npm install of vscode-textmate, vscode-oniguruma and vsce" "$(cat "$T/npm.err")"
else
    ok "editors: npm packages installed (vscode-textmate, vscode-oniguruma, vsce)"
    export NODE_PATH="$build/editors/node_modules"
    grammar=editors/vscode/syntaxes/journey.tmLanguage.json
    for f in examples/*.journey tests/editors/grammar.journey; do
        golden=tests/editors/$(basename "$f" .journey).tokens
        node tests/editors/tokenize.js "$grammar" "$f" >"$T/tokens" 2>"$T/tokens.err"
        if [ $? -ne 0 ]; then
            not_ok "editors: tokenize $f" "$(cat "$T/tokens.err")"
        elif [ -n "${UPDATE:-}" ]; then
            cp "$T/tokens" "$golden"
            ok "editors: $golden (updated)"
        elif cmp -s "$golden" "$T/tokens"; then
            ok "editors: VS Code tokens of $f match $golden"
        else
            not_ok "editors: VS Code tokens of $f differ from $golden" "$(diff -u "$golden" "$T/tokens" | tail -n +3)"
        fi
        if grep -q ' -$' "$T/tokens"; then not_ok "editors: $f has tokens without a scope" "$(grep ' -$' "$T/tokens" | head)"
        else ok "editors: every token of $f has a scope"; fi
    done

    # The manifest and the files it names; the problem matcher on real diagnostics; snippets
    # that expand to a journey that parses.
    "$CJM" --color=never check tests/check/unknown-stage.journey tests/check/warnings.journey >/dev/null 2>"$T/diags"
    cat >"$T/vscode.js" <<'EOF'
const fs = require('fs');
const dir = 'editors/vscode';
const pkg = JSON.parse(fs.readFileSync(`${dir}/package.json`, 'utf8'));
const c = pkg.contributes;
for (const p of [c.languages[0].configuration, c.grammars[0].path, c.snippets[0].path, pkg.main])
    if (!fs.existsSync(`${dir}/${p}`)) throw new Error(`package.json names a missing file: ${p}`);
if (c.languages[0].id !== 'journey' || !c.languages[0].extensions.includes('.journey')) throw new Error('language id or extension');
const conf = JSON.parse(fs.readFileSync(`${dir}/language-configuration.json`, 'utf8'));
if (conf.comments.lineComment !== '//' || conf.comments.blockComment.join(' ') !== '/* */') throw new Error('comments');
const m = c.problemMatchers[0].pattern;
const re = new RegExp(m.regexp);
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const want = lines.filter((l) => /: (error|warning): /.test(l)).length;
const got = lines.map((l) => re.exec(l)).filter(Boolean);
if (want === 0 || got.length !== want) throw new Error(`problem matcher: ${got.length} matches for ${want} diagnostics`);
for (const g of got) {
    if (!fs.existsSync(g[m.file]) || !(+g[m.line] > 0) || !(+g[m.column] > 0) || !/^(error|warning)$/.test(g[m.severity]) || !g[m.message])
        throw new Error(`problem matcher: bad fields in ${g[0]}`);
}
// Each snippet with its default values: declarations at the top level, items inside a stage.
const snippets = JSON.parse(fs.readFileSync(`${dir}/snippets/journey.code-snippets`, 'utf8'));
const expand = (body) => body.join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1').replace(/\\,/g, ',')
    .replace(/\$\{\d+:((?:[^{}]|\{[^{}]*\})*)\}/g, (all, d) => d.replace(/\$\{\d+:([^{}]*)\}/g, '$1'))
    .replace(/\$\d+/g, '');
const items = ['trait', 'arrow', 'churn arrow', 'wait', 'touchpoint block'];
let top = '', inner = '', persona = '';
for (const [name, s] of Object.entries(snippets)) {
    const text = expand(s.body);
    if (name === 'trait') persona = `persona T { ${text} }\n`;
    else if (items.includes(name)) inner += text.replace(/^touchpoint Name/, 'touchpoint Inner') + '\n';
    else top += text + '\n';
}
fs.writeFileSync(process.argv[3], `${top}${persona}stage Items {\n${inner}}\n`);
EOF
    run node --check editors/vscode/extension.js
    expect_status "editors: the VS Code extension's script parses" 0
    run node "$T/vscode.js" "$T/diags" "$T/snippets.journey"
    expect_status "editors: the VS Code manifest, problem matcher and snippets" 0
    run "$CJM" fmt "$T/snippets.journey"
    expect_status "editors: every VS Code snippet expands to a journey that parses" 0

    # The .vsix, packaged by vsce.
    rm -f "$build/cjm-journey.vsix"
    run make -s --no-print-directory B="$build" "$build/cjm-journey.vsix"
    expect_status "editors: make vsix packages the extension" 0
    if [ "$(head -c 2 "$build/cjm-journey.vsix" 2>/dev/null)" = PK ]; then ok "editors: the .vsix is a zip file"
    else not_ok "editors: the .vsix is a zip file"; fi
    (cd editors/vscode && "$build/editors/node_modules/.bin/vsce" ls --no-dependencies 2>/dev/null) >"$T/vsix.ls"
    missing=""
    for f in package.json extension.js language-configuration.json syntaxes/journey.tmLanguage.json snippets/journey.code-snippets README.md LICENSE; do
        grep -qx "$f" "$T/vsix.ls" || missing="$missing $f"
    done
    if [ -z "$missing" ]; then ok "editors: the .vsix holds the grammar, snippets and configuration"; else not_ok "editors: the .vsix lacks:$missing" "$(cat "$T/vsix.ls")"; fi
    unset NODE_PATH
fi

# ---- Vim: detection, syntax, ftplugin, :make into the quickfix list, indent, :JourneyFmt ----
if ! command -v vim >/dev/null 2>&1; then
    not_ok "editors: vim is not installed (make deps installs it)"
else
    mkdir -p "$T/vim"
    # Every formatted journey (examples/reference.journey is kept as the design reference wrote it).
    for f in $(ls examples/*.journey | grep -v /reference.journey) stdlib/std/*.journey stdlib/templates/*.journey; do cp "$f" "$T/vim/"; done
    printf 'stage A goal{\n-> churn}\n' >"$T/vim/messy.journey"
    cat >"$T/vim/test.vim" <<'EOF'
set nocompatible
let &rtp = getcwd() . '/editors/vim,' . &rtp
filetype plugin indent on
syntax on
let s:out = []
function! s:Say(what) abort
  call add(s:out, a:what)
endfunction
" Every formatted journey re-indents to itself.
let s:bad = 0
for f in glob($VIMTEST . '/*.journey', 0, 1)
  if f =~# 'messy' | continue | endif
  execute 'silent edit!' fnameescape(f)
  let before = getline(1, '$')
  silent normal! gg=G
  if getline(1, '$') !=# before | let s:bad += 1 | call s:Say('indent differs: ' . f) | endif
endfor
call s:Say('indent-bad=' . s:bad)
execute 'silent edit!' fnameescape($VIMTEST . '/cafe.journey')
call s:Say('filetype=' . &filetype)
call s:Say('syntax=' . get(b:, 'current_syntax', ''))
call s:Say('commentstring=' . &commentstring)
call s:Say('makeprg=' . &makeprg)
call s:Say('stage-name=' . synIDattr(synID(search('^stage '), 7, 1), 'name'))
execute 'silent edit!' fnameescape($VIMTEST . '/customers.journey')
call s:Say('state-name=' . synIDattr(synID(search('^state '), 7, 1), 'name'))
call s:Say('met-arg=' . synIDattr(synID(search('met_ever('), col('.') + 9, 1), 'name'))
call s:Say('distribution=' . synIDattr(synID(search('gamma('), col('.'), 1), 'name'))
call s:Say('boolean=' . synIDattr(synID(search('false'), col('.'), 1), 'name'))
execute 'silent edit!' fnameescape($VIMTEST . '/broken.journey')
silent make
for e in getqflist()
  call s:Say(printf('qf %s|%d|%d|%s|%s', fnamemodify(bufname(e.bufnr), ':t'), e.lnum, e.col, e.type, e.text))
endfor
execute 'silent edit!' fnameescape($VIMTEST . '/messy.journey')
JourneyFmt
call s:Say('fmt=' . join(getline(1, '$'), '|'))
call writefile(s:out, $VIMTEST . '/result')
qa!
EOF
    printf 'journey "x" { start Awarenes }\nstage Awareness goal {\n  -> churn\n}\nstage Lonely {}\n' >"$T/vim/broken.journey"
    printf 'persona P { lambda = gamma(2, 3) }\nstate sent = false\nstage A goal { -> A 5%% * met_ever(Ad) }\n' >"$T/vim/customers.journey"
    PATH="$build:$PATH" VIMTEST="$T/vim" vim -Nu NONE -i NONE -es -S "$T/vim/test.vim" </dev/null >/dev/null 2>&1
    res="$T/vim/result"
    if [ ! -f "$res" ]; then
        not_ok "editors: vim ran the test script"
    else
        grep -q '^indent-bad=0$' "$res" && ok "editors: vim indent re-indents every formatted journey to itself" || not_ok "editors: vim indent" "$(grep indent "$res")"
        grep -q '^filetype=journey$' "$res" && ok "editors: vim detects *.journey" || not_ok "editors: vim filetype" "$(cat "$res")"
        grep -q '^syntax=journey$' "$res" && ok "editors: vim loads the journey syntax" || not_ok "editors: vim syntax" "$(cat "$res")"
        grep -q '^stage-name=journeyDeclName$' "$res" && ok "editors: vim highlights declared names" || not_ok "editors: vim highlights declared names" "$(grep stage-name "$res")"
        grep -q '^state-name=journeyDeclName$' "$res" && ok "editors: vim highlights a state variable's declared name" || not_ok "editors: vim state name" "$(grep state-name "$res")"
        grep -q '^met-arg=journeyTarget$' "$res" && ok "editors: vim highlights what met_ever() names" || not_ok "editors: vim met() argument" "$(grep met-arg "$res")"
        grep -q '^distribution=journeyDistribution$' "$res" && ok "editors: vim highlights a trait's distribution" || not_ok "editors: vim distribution" "$(grep distribution= "$res")"
        grep -q '^boolean=journeyBoolean$' "$res" && ok "editors: vim highlights true and false" || not_ok "editors: vim boolean" "$(grep boolean= "$res")"
        grep -q '^commentstring=// %s$' "$res" && ok "editors: vim commentstring" || not_ok "editors: vim commentstring" "$(cat "$res")"
        grep -q '^makeprg=cjm check' "$res" && ok "editors: vim makeprg runs cjm check" || not_ok "editors: vim makeprg" "$(cat "$res")"
        grep -q "^qf broken.journey|1|21|E|unknown stage 'Awarenes'$" "$res" && ok "editors: :make puts errors in the quickfix list" || not_ok "editors: quickfix error" "$(grep '^qf' "$res")"
        grep -q "^qf broken.journey|1|21|I|did you mean 'Awareness'?$" "$res" && ok "editors: :make puts notes in the quickfix list" || not_ok "editors: quickfix note" "$(grep '^qf' "$res")"
        [ "$(grep -c '^qf' "$res")" -eq 2 ] && ok "editors: the quickfix list has no source excerpts" || not_ok "editors: quickfix entries" "$(grep '^qf' "$res")"
        grep -q '^fmt=stage A goal {|  -> churn|}$' "$res" && ok "editors: :JourneyFmt formats the buffer" || not_ok "editors: :JourneyFmt" "$(grep '^fmt' "$res")"
    fi
fi

# ---- bash completion, with the program's own help as the source of options ----
if ! command -v bash >/dev/null 2>&1; then
    not_ok "editors: bash is not installed"
else
    cat >"$T/comp.bash" <<'EOF'
. completion/cjm.bash
comp() {
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<<"$COMP_LINE"
    [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _cjm 2>/dev/null
    echo "$(printf '%s ' "${COMPREPLY[@]}")"
}
c=$CJM_ABS
echo "commands: $(comp "$c ")"
echo "run-options: $(comp "$c run --")"
echo "graph-formats: $(comp "$c graph -T ")"
echo "run-formats: $(comp "$c run --format=")"
echo "views: $(comp "$c graph --view ")"
echo "colors: $(comp "$c --color=")"
echo "templates: $(comp "$c new --template ")"
echo "personas: $(comp "$c graph examples/reference.journey --persona ")"
echo "files: $(comp "$c check examples/caf")"
echo "help: $(comp "$c help f")"
echo "fit-formats: $(comp "$c fit --format ")"
echo "fit-log: $(comp "$c fit examples/cafe.journey LICEN")"
EOF
    CJM_ABS="$cjm_abs" bash "$T/comp.bash" >"$T/comp.out" 2>&1
    c() { grep "^$1: " "$T/comp.out" | sed "s/^$1: //"; }
    has() { case " $(c "$1") " in *" $2 "*) return 0 ;; esac; return 1; }
    has commands fmt && has commands new && has commands check && ok "bash completion: commands" || not_ok "bash completion: commands" "$(cat "$T/comp.out")"
    has run-options --cohort= && has run-options --seed= && has run-options --quiet && ok "bash completion: a command's options" || not_ok "bash completion: options" "$(c run-options)"
    [ "$(c graph-formats)" = "svg png pdf dot " ] && ok "bash completion: graph formats" || not_ok "bash completion: graph formats" "$(c graph-formats)"
    has run-formats json && ok "bash completion: run formats after --format=" || not_ok "bash completion: run formats" "$(c run-formats)"
    [ "$(c views)" = "flow map " ] && ok "bash completion: views" || not_ok "bash completion: views" "$(c views)"
    [ "$(c colors)" = "auto always never " ] && ok "bash completion: --color values" || not_ok "bash completion: colors" "$(c colors)"
    has templates saas && has templates 5-stage && ok "bash completion: templates" || not_ok "bash completion: templates" "$(c templates)"
    [ "$(c personas)" = "Student Manager " ] && ok "bash completion: persona names from the journey file" || not_ok "bash completion: personas" "$(c personas)"
    [ "$(c files)" = "examples/cafe.journey " ] && ok "bash completion: journey files" || not_ok "bash completion: files" "$(c files)"
    [ "$(c help)" = "fit fmt " ] && ok "bash completion: help COMMAND" || not_ok "bash completion: help" "$(c help)"
    [ "$(c fit-formats)" = "table json csv html " ] && ok "bash completion: fit's formats" || not_ok "bash completion: fit's formats" "$(c fit-formats)"
    [ "$(c fit-log)" = "LICENSE " ] && ok "bash completion: fit's log after the journey: any file" || not_ok "bash completion: fit's log" "$(c fit-log)"
fi

# ---- zsh completion: syntax, and the same answers through stubs of zsh's completion builtins ----
if ! command -v zsh >/dev/null 2>&1; then
    not_ok "editors: zsh is not installed (make deps installs it)"
else
    if zsh -n completion/_cjm 2>"$T/zsh.err"; then ok "zsh completion: the script parses"; else not_ok "zsh completion: syntax" "$(cat "$T/zsh.err")"; fi
    cat >"$T/comp.zsh" <<'EOF'
compadd() {
  local arr=0
  while (( $# )); do
    case $1 in
      -a) arr=1 ;;
      -S) shift ;;
      --) shift; print -l -- "$@"; return ;;
      *) if (( arr )); then print -l -- ${(P)1}; else print -l -- $1; fi ;;
    esac
    shift
  done
}
_files() { print -- "<files $*>"; }
compset() { [[ $1 == -P ]] && PREFIX=${PREFIX#*=}; }
fpath=(completion $fpath)
autoload -Uz _cjm
t() { local name=$1; shift; words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}; print -n "$name: "; _cjm | tr '\n' ' '; print; }
t commands $CJM_ABS ''
t graph-formats $CJM_ABS graph -T ''
t run-formats $CJM_ABS run --format=
t personas $CJM_ABS graph examples/reference.journey --persona ''
t templates $CJM_ABS new -t ''
t files $CJM_ABS check ''
EOF
    CJM_ABS="$cjm_abs" zsh -f "$T/comp.zsh" >"$T/zcomp.out" 2>&1
    z() { grep "^$1: " "$T/zcomp.out" | sed "s/^$1: //"; }
    case " $(z commands) " in *" fmt "*) case " $(z commands) " in *" new "*) ok "zsh completion: commands" ;; *) not_ok "zsh completion: commands" "$(z commands)" ;; esac ;; *) not_ok "zsh completion: commands" "$(z commands)" ;; esac
    [ "$(z graph-formats)" = "svg png pdf dot " ] && ok "zsh completion: graph formats" || not_ok "zsh completion: graph formats" "$(cat "$T/zcomp.out")"
    case " $(z run-formats) " in *" json "*) ok "zsh completion: run formats" ;; *) not_ok "zsh completion: run formats" "$(z run-formats)" ;; esac
    [ "$(z personas)" = "Student Manager " ] && ok "zsh completion: persona names" || not_ok "zsh completion: personas" "$(z personas)"
    case " $(z templates) " in *" saas "*) ok "zsh completion: templates" ;; *) not_ok "zsh completion: templates" "$(z templates)" ;; esac
    [ "$(z files)" = "<files -g *.journey> " ] && ok "zsh completion: journey files" || not_ok "zsh completion: files" "$(z files)"
fi
