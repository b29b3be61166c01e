# tests/cli/layers.sh: the layers of docs/architecture.md hold (sourced by tests/run.sh; files in
# $T). The Makefile says which folders each folder may use (make print-layers); here:
#   - every #include "..." of every folder names a header of a folder it may use (or one
#     generated for it), and the clients (cli, the unit tests, the fuzzers) include the core only
#     through include/cjm.h;
#   - no two folders have a header of the same name (an include path could then pick either);
#   - the compiler enforces it: with the include paths a folder is built with, a header of a
#     folder it may not use cannot be found ("sim.h" from lang/ fails), one it may use can.

# Make's own settings (a jobserver, say) are not for this make.
layers_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory "$@"; }
layers=$(layers_make print-layers)
uses_of() { echo "$layers" | sed -n "s|^$1: ||p"; }
generated_of() { echo "$layers" | sed -n "s|^generated $1: ||p"; }
library=$(uses_of library)
clients=$(uses_of clients)

# ---- every #include against the folder's allowed set ----
# Whether header $2, included by a file of folder $1, is one $1 may include. The lists that
# define the language (lang/*.def) are part of cjm.h's face: its clients include them by name.
may_include() { # folder header
    case " $(uses_of "$1") :$2" in *" include "*:*.def) [ -f "lang/$2" ] && return 0 ;; esac
    for d in $1 $(uses_of "$1"); do
        [ -f "$d/$2" ] && return 0
        case " $(generated_of "$d") " in *" $2 "*) return 0 ;; esac
    done
    return 1
}
# The folder whose header $1 is (for the message).
owner_of() {
    for d in $library include cli; do [ -f "$d/$1" ] && { echo "$d"; return; }; done
    for d in $library cli; do case " $(generated_of "$d") " in *" $1 "*) echo "$d (generated)"; return ;; esac; done
    echo "no folder"
}
for folder in $library include $clients; do
    bad="" n=0
    for f in "$folder"/*.c "$folder"/*.h "$folder"/*.y "$folder"/*.l; do
        [ -f "$f" ] || continue
        for h in $(sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f"); do
            n=$((n + 1))
            may_include "$folder" "$h" || bad="$bad
$f includes \"$h\", $(owner_of "$h")'s"
        done
    done
    if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
        ok "layers: the $n #includes of $folder/ name headers of $(uses_of "$folder" | sed 's/ /, /g') only"
    else
        not_ok "layers: $folder/ includes what it may not (it may use: $(uses_of "$folder"))" "$(echo "$bad" | sed 1d)"
    fi
done

# ---- lang/ never ends the process (arena.h: running out of memory is an error there) ----
# Only arena.c, which defines the allocators that end it for the other layers, and buf.c, for a
# Buf its owner made with BUF_INIT rather than BUF_FALLIBLE, may call them; lang/ makes no such Buf.
enders=$(grep -nE '(^|[^a-z_])((xmalloc|xcalloc|xrealloc|xstrdup|die_out_of_memory|exit|_Exit|abort)[ \t]*\(|BUF_INIT)' \
         lang/*.c lang/*.h lang/*.l lang/*.y | grep -v '^lang/arena\.[ch]:\|^lang/buf\.[ch]:')
if [ -z "$enders" ]; then ok "layers: nothing in lang/ ends the process (no xmalloc, exit, abort or BUF_INIT)"
else not_ok "layers: lang/ calls what ends the process" "$enders"; fi

# ---- one name, one header ----
dups=$(for d in $library include cli; do ls "$d" | grep '\.h$'; for g in $(generated_of "$d"); do echo "$g"; done; done |
       sort | uniq -d)
if [ -z "$dups" ]; then ok "layers: no two folders have a header of the same name"
else not_ok "layers: headers of the same name in two folders" "$dups"; fi

# ---- the compiler enforces it ----
# From an empty folder (as a file of FOLDER would, but without FOLDER's own headers beside it), one
# header of each folder that has some, with the include paths FOLDER is compiled with.
CC=${CC:-cc}
repo=$(pwd)
mkdir -p "$T/probe"
for folder in $library $clients; do
    flags=$(layers_make print-include-dirs FOLDER="$folder")
    absolute=$(echo " $flags" | sed "s| -I\([^/ ]\)| -I$repo/\1|g")
    for g in $library include cli; do
        [ "$g" = "$folder" ] && continue
        h=$(ls "$g" | grep '\.h$' | head -n 1)
        printf '#include "%s"\n' "$h" >"$T/probe/probe.c"
        # shellcheck disable=SC2086
        if (cd "$T/probe" && "$CC" -std=c11 -D_XOPEN_SOURCE=700 -fsyntax-only $absolute probe.c) >"$T/probe/out" 2>&1
        then compiled=yes; else compiled=no; fi
        case " $flags " in *" -I$g "*) want=yes ;; *) want=no ;; esac
        if [ "$compiled" = "$want" ] && { [ "$want" = yes ] || grep -q 'No such file' "$T/probe/out"; }; then
            if [ "$want" = yes ]; then ok "layers: $folder/ compiles with $g's $h"
            else ok "layers: $folder/ cannot include $g's $h: the compiler does not find it"; fi
        else
            not_ok "layers: $folder/ including $g's $h: compiled $compiled, expected $want" "$(head -n 5 "$T/probe/out")"
        fi
    done
done

# ---- a client that sees lang and runtime only (a language server) gets their part of cjm.h ----
# It loads, checks and compiles a journey with cjm.h alone; a render function is not declared.
cat >"$T/probe/client.c" <<'C'
#include "cjm.h"
int client(const char *text, unsigned long len);
int client(const char *text, unsigned long len)
{
    Checked c;
    CheckInput in = {.path = "t.journey", .text = text, .len = len};
    checked_load(&c, &in);
    RtModel *rm = c.status == CHECKED_OK ? rt_compile(c.model) : NULL;
    int errors = c.diag.errors;
    rt_model_free(rm);
    checked_free(&c);
#ifdef RENDER
    Buf b = BUF_INIT;
    render_json(NULL, "t.journey", &b);
#endif
    return errors;
}
C
face="-I$repo/include -I$repo/lang -I$repo/runtime"
if (cd "$T/probe" && "$CC" -std=c11 -D_XOPEN_SOURCE=700 -Wall -Werror -fsyntax-only $face client.c) >"$T/probe/out" 2>&1; then
    ok "layers: a client that sees lang and runtime loads, checks and compiles a journey through cjm.h alone"
else
    not_ok "layers: a lang + runtime client through cjm.h" "$(head -n 5 "$T/probe/out")"
fi
if ! (cd "$T/probe" && "$CC" -std=c11 -D_XOPEN_SOURCE=700 -Wall -Werror -fsyntax-only -DRENDER $face client.c) \
    >"$T/probe/out" 2>&1 && grep -q "render_json" "$T/probe/out"; then
    ok "layers: that client gets no render function from cjm.h"
else
    not_ok "layers: a lang + runtime client sees render_json through cjm.h" "$(head -n 5 "$T/probe/out")"
fi
