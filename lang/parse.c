/* parse.c: runs the generated lexer and parser over one file and tidies what they built
 * (see parse.h). Owns the wording of syntax errors. */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "parser.h"
#include "lexer.h"

/* Keywords and operators print quoted in messages ("unexpected 'stage'"), like characters. */
static bool is_quotable_token(const char *name, size_t n)
{
    static const char *const ops[] = {"->", "+=", "-=", "<=", ">=", "==", "!="};
    static const char *const words[] = {
#define KW(w, t) w,
#include "keywords.def"
#undef KW
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strlen(ops[i]) == n && memcmp(ops[i], name, n) == 0) return true;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && memcmp(words[i], name, n) == 0) return true;
    return false;
}

static void put_token_name(Buf *out, const char *name, size_t n)
{
    bool quote = is_quotable_token(name, n);
    if (quote) buf_putc(out, '\'');
    buf_add(out, name, n);
    if (quote) buf_putc(out, '\'');
}

/* The offending token's own text, after "unexpected identifier" and the like. */
static void put_token_text(Buf *out, const ParseCtx *ctx, bool quote)
{
    size_t shown = ctx->tok_len > 40 ? 40 : ctx->tok_len;
    buf_puts(out, quote ? " '" : " ");
    for (size_t j = 0; j < shown; j++) {
        unsigned char c = (unsigned char)ctx->tok_text[j];
        buf_putc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
    }
    if (shown < ctx->tok_len) buf_puts(out, "...");
    if (quote) buf_putc(out, '\'');
}

/* Rewrites bison's "syntax error, unexpected X, expecting A or B" into cjm's wording: no
 * "syntax error, " prefix, keywords quoted, and the text of an unexpected identifier, number or
 * string shown ("unexpected identifier 'Purchse'"). */
static void word_message(const ParseCtx *ctx, const char *msg, Buf *out)
{
    const char *prefix = "syntax error, ";
    if (strncmp(msg, prefix, strlen(prefix)) == 0) msg += strlen(prefix);
    if (strcmp(msg, "memory exhausted") == 0) {
        buf_puts(out, "the file is nested too deeply to read");
        return;
    }
    const char *un = "unexpected ";
    if (strncmp(msg, un, strlen(un)) != 0) {
        buf_puts(out, msg);
        return;
    }
    msg += strlen(un);
    const char *exp = strstr(msg, ", expecting ");
    size_t n = exp ? (size_t)(exp - msg) : strlen(msg);
    buf_puts(out, un);
    put_token_name(out, msg, n);
    if (ctx->tok_len > 0 && ((n == 10 && memcmp(msg, "identifier", 10) == 0) || (n == 6 && memcmp(msg, "number", 6) == 0)))
        put_token_text(out, ctx, true);
    else if (ctx->tok_len > 0 && n == 6 && memcmp(msg, "string", 6) == 0)
        put_token_text(out, ctx, false);
    if (!exp) return;
    buf_puts(out, ", expecting ");
    const char *item = exp + strlen(", expecting ");
    for (;;) {
        const char *sep = strstr(item, " or ");
        size_t len = sep ? (size_t)(sep - item) : strlen(item);
        put_token_name(out, item, len);
        if (!sep) break;
        buf_puts(out, " or ");
        item = sep + 4;
    }
}

/* Tokens that begin a declaration: met inside a block, they suggest a missing '}'. */
static bool starts_declaration(int tok)
{
    return tok == IMPORT || tok == JOURNEY || tok == PERSONA || tok == CURVE || tok == STAGE || tok == EXTEND ||
           tok == CHANNEL || tok == RULE || tok == SCENARIO || tok == STATE;
}

void parse_syntax_error(ParseCtx *ctx, Loc loc, const char *msg)
{
    /* After the lexer gave up on the rest of the file, "unexpected end of file" adds nothing. */
    if (ctx->nesting_reported) return;
    Buf b = BUF_FALLIBLE;
    word_message(ctx, msg, &b);
    if (b.failed) {
        buf_free(&b);
        arena_fail(ctx->scratch); /* to the parse's escape: "out of memory while loading" */
    }
    diag_error(ctx->diag, loc, "%s", buf_str(&b));
    buf_free(&b);
    int max = (int)(sizeof ctx->braces / sizeof ctx->braces[0]);
    if (ctx->brace_depth > 0 && ctx->brace_depth <= max && (ctx->at_eof || starts_declaration(ctx->tok_kind)))
        diag_note(ctx->diag, ctx->braces[ctx->brace_depth - 1], "is a '}' missing? this '{' is not closed");
}

/* The nodes of a file being parsed are the parser's own, built as mutable objects: it alone may
 * write through the const links of ast.h, and only here, to put its lists in order. */
#define OWN(T, node) ((T *)(node))

#define REVERSE(T, head)                                                        \
    do {                                                                        \
        const T *rev_ = NULL, *cur_ = (head);                                   \
        while (cur_) {                                                          \
            T *node_ = OWN(T, cur_);                                            \
            const T *next_ = node_->next;                                       \
            node_->next = rev_;                                                 \
            rev_ = node_;                                                       \
            cur_ = next_;                                                       \
        }                                                                       \
        (head) = rev_;                                                          \
    } while (0)

static void reverse_arrivals(const Arrivals **list)
{
    REVERSE(Arrivals, *list);
    for (const Arrivals *a = *list; a; a = a->next) REVERSE(ArrivalCount, OWN(Arrivals, a)->counts);
}

static void reverse_touchpoint_lists(const Touchpoint *list)
{
    for (const Touchpoint *t = list; t; t = t->next) {
        REVERSE(StrList, OWN(Touchpoint, t)->pains);
        REVERSE(StrList, OWN(Touchpoint, t)->opportunities);
        REVERSE(StrList, OWN(Touchpoint, t)->events);
    }
}

/* The grammar prepends to every list; this puts each one back in source order. */
void parse_reverse_lists(Module *m)
{
    REVERSE(Scenario, m->scenarios);
    for (const Scenario *sc = m->scenarios; sc; sc = sc->next) {
        REVERSE(Removal, OWN(Scenario, sc)->removals);
        parse_reverse_lists(OWN(Module, sc->body));
    }
    REVERSE(Import, m->imports);
    reverse_arrivals(&m->journey.arrivals);
    REVERSE(Persona, m->personas);
    for (const Persona *p = m->personas; p; p = p->next) {
        REVERSE(Trait, OWN(Persona, p)->traits);
        for (const Trait *t = p->traits; t; t = t->next)
            if (t->dist) REVERSE(ChoiceItem, OWN(Dist, t->dist)->choices);
        reverse_arrivals(&OWN(Persona, p)->arrivals);
    }
    REVERSE(Curve, m->curves);
    for (const Curve *c = m->curves; c; c = c->next) REVERSE(CurvePoint, OWN(Curve, c)->points);
    REVERSE(Stage, m->stages);
    for (const Stage *s = m->stages; s; s = s->next) {
        Stage *own = OWN(Stage, s);
        REVERSE(Touchpoint, own->touchpoints);
        REVERSE(Arrow, own->arrows);
        REVERSE(Removal, own->removals);
        REVERSE(StrList, own->events);
        reverse_touchpoint_lists(own->touchpoints);
    }
    REVERSE(Channel, m->channels);
    REVERSE(Touchpoint, m->touchpoints);
    reverse_touchpoint_lists(m->touchpoints);
    REVERSE(StateVar, m->states);
    REVERSE(Rule, m->rules);
    for (const Rule *r = m->rules; r; r = r->next) REVERSE(Action, OWN(Rule, r)->actions);
}

/* Offset of the first suspicious byte when the start of the text looks like binary data (many
 * control bytes or broken UTF-8 sequences), else -1. A few such bytes in a text file are reported
 * one by one by the lexer instead. Only the first 4096 bytes that are not blanks count, and blanks
 * count for neither side: the verdict must not change when `cjm fmt` changes only blanks (it
 * once did, for a file near the threshold that the formatter then refused as "changed"). */
static long binary_offset(const char *text, size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t seen = 0, bad = 0;
    long first = -1;
    for (size_t i = 0; i < len && seen < 4096; i++) {
        unsigned char c = u[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') continue;
        seen++;
        bool suspicious = c < 0x20 || c == 0x7f;
        if (c >= 0x80) {
            size_t k = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
            bool ok = k > 0 && i + k <= len;
            for (size_t j = 1; ok && j < k; j++) ok = (u[i + j] & 0xC0) == 0x80;
            if (ok) i += k - 1;
            else suspicious = true;
        }
        if (suspicious) {
            bad++;
            if (first < 0) first = (long)i;
        }
    }
    return bad >= 8 && bad * 10 > seen ? first : -1;
}

void parse_record_comment(ParseCtx *ctx, Loc loc, bool block)
{
    Comment *c = ARENA_NEW(ctx->arena, Comment);
    c->loc = loc;
    c->block = block;
    c->next = ctx->comments;
    ctx->comments = c;
}

/* ---- the scanner's and the parser's own memory ----
 * Both come from the parse's scratch arena (freed when the parse ends), so that a parse stopped by
 * a failed allocation leaks nothing. The scanner's blocks keep their size in front, for
 * yyrealloc; the generated parser finds the arena through `stack_arena`, since it has no other
 * way to reach the parse from where it grows its stacks. */
static _Thread_local Arena *stack_arena;

typedef union BlockHead {
    size_t size;
    max_align_t align;
} BlockHead;

void *parse_scratch_alloc(ParseCtx *ctx, size_t n)
{
    BlockHead *h = arena_alloc(ctx->scratch, sizeof *h + n);
    h->size = n;
    return h + 1;
}

void *parse_scratch_realloc(ParseCtx *ctx, void *p, size_t n)
{
    void *q = parse_scratch_alloc(ctx, n);
    if (p) {
        size_t old = ((BlockHead *)p - 1)->size;
        memcpy(q, p, old < n ? old : n);
    }
    return q;
}

void *parse_stack_alloc(size_t n)
{
    if (!stack_arena) return NULL; /* never: only a parse under way grows the stacks */
    return arena_alloc(stack_arena, n);
}

void parse_stack_free(void *p) { (void)p; }

/* Sets up a context and a scanner over file `file` (a byte order mark skipped). */
static void ctx_open(ParseCtx *ctx, Arena *arena, Arena *scratch, Diag *diag, const SourceFile *src, uint32_t file,
                     Module *m)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->arena = arena;
    ctx->scratch = scratch;
    ctx->diag = diag;
    ctx->mod = m;
    ctx->into = m;
    ctx->src = src;
    ctx->file = file;
    yyscan_t scanner;
    if (yylex_init_extra(ctx, &scanner) != 0) arena_fail(scratch);
    ctx->scanner = scanner;
    /* A UTF-8 byte order mark (editors on Windows write one) is not part of the text. */
    size_t skip = src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    ctx->offset = (uint32_t)skip;
    yy_scan_bytes(src->text + skip, (int)(src->len - skip), scanner);
}

/* Ends the scanner; returns the comments recorded, in source order. */
static const Comment *ctx_close(ParseCtx *ctx)
{
    yylex_destroy(ctx->scanner);
    const Comment *rev = NULL, *c = ctx->comments;
    while (c) {
        Comment *node = OWN(Comment, c);
        const Comment *next = node->next;
        node->next = rev;
        rev = node;
        c = next;
    }
    return rev;
}

/* One run of the scanner (and the parser, or not), under arena_guard(). */
typedef struct Run {
    ParseCtx ctx;
    Arena *arena, scratch;
    Diag *diag;
    const SourceFile *src;
    uint32_t file;
    Module *m;
    /* parse_tokens: */
    Token *toks;
    size_t ntoks;
    const Comment *comments;
} Run;

static void run_parser(void *p)
{
    Run *r = p;
    ctx_open(&r->ctx, r->arena, &r->scratch, r->diag, r->src, r->file, r->m);
    yyparse(r->ctx.scanner, &r->ctx);
    r->m->comments = ctx_close(&r->ctx);
    parse_reverse_lists(r->m);
}

static void run_scanner(void *p)
{
    Run *r = p;
    Module scratch_module;
    memset(&scratch_module, 0, sizeof scratch_module);
    ParseCtx *ctx = &r->ctx;
    ctx_open(ctx, r->arena, &r->scratch, r->diag, r->src, r->file, &scratch_module);
    size_t n = 0, cap = 256;
    Token *toks = ARENA_ARRAY(&r->scratch, Token, cap);
    for (;;) {
        YYSTYPE val;
        Loc loc = {r->file, ctx->offset, 0};
        int kind = yylex(&val, &loc, ctx->scanner);
        if (kind == END) loc = (Loc){r->file, ctx->offset, 0}; /* skipped blanks leave their place in loc */
        if (n == cap) {
            toks = arena_grow(&r->scratch, toks, cap * sizeof *toks, 2 * cap * sizeof *toks);
            cap *= 2;
        }
        toks[n++] = (Token){kind, loc};
        if (kind == END) break;
    }
    r->comments = ctx_close(ctx);
    r->toks = ARENA_ARRAY(r->arena, Token, n);
    memcpy(r->toks, toks, n * sizeof *toks);
    r->ntoks = n;
}

/* Runs fn over r; a failed allocation goes on to the caller's escape (arena.h). */
static void run(Run *r, void (*fn)(void *))
{
    arena_init(&r->scratch);
    Arena *saved = stack_arena;
    stack_arena = &r->scratch;
    Arena *const arenas[] = {r->arena, &r->scratch};
    bool ok = arena_guard(arenas, 2, fn, r);
    stack_arena = saved;
    arena_free(&r->scratch);
    if (!ok) arena_fail(r->arena);
}

Module *parse_module(Arena *arena, Diag *diag, uint32_t file)
{
    const SourceFile *src = source_get(diag->sources, file);
    Module *m = ARENA_NEW(arena, Module);
    m->file = file;
    m->path = src->path;
    long bin = binary_offset(src->text, src->len);
    if (bin >= 0) {
        diag_error(diag, (Loc){file, (uint32_t)bin, 1},
                   "this is not a journey: the file looks binary (control bytes or invalid UTF-8)");
        return m;
    }
    Run r;
    memset(&r, 0, sizeof r);
    r.arena = arena;
    r.diag = diag;
    r.src = src;
    r.file = file;
    r.m = m;
    run(&r, run_parser);
    return m;
}

Token *parse_tokens(Arena *arena, Diag *diag, uint32_t file, size_t *ntokens, const Comment **comments)
{
    Run r;
    memset(&r, 0, sizeof r);
    r.arena = arena;
    r.diag = diag;
    r.src = source_get(diag->sources, file);
    r.file = file;
    run(&r, run_scanner);
    *comments = r.comments;
    *ntokens = r.ntoks;
    return r.toks;
}
