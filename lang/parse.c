/* parse.c: runs the generated lexer and parser over one file and tidies what they built
 * (see parse.h). Owns the wording of syntax errors. */
#include "parse.h"

#include <string.h>

#include "buf.h"
#include "parser.h"
#include "lexer.h"

/* Quotes the offending token's text after bison's "unexpected identifier" so that the message
 * names what was found ("unexpected identifier 'Purchse'"), and drops bison's "syntax error, ". */
static void word_message(const ParseCtx *ctx, const char *msg, Buf *out)
{
    const char *prefix = "syntax error, ";
    if (strncmp(msg, prefix, strlen(prefix)) == 0) msg += strlen(prefix);
    if (strcmp(msg, "memory exhausted") == 0) {
        buf_puts(out, "the file is nested too deeply to read");
        return;
    }
    const char *kinds[] = {"unexpected identifier", "unexpected number", "unexpected string"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t k = strlen(kinds[i]);
        if (strncmp(msg, kinds[i], k) != 0 || ctx->tok_len == 0) continue;
        buf_add(out, msg, k);
        size_t shown = ctx->tok_len > 40 ? 40 : ctx->tok_len;
        buf_puts(out, " ");
        if (i != 2) buf_putc(out, '\'');
        for (size_t j = 0; j < shown; j++) {
            unsigned char c = (unsigned char)ctx->tok_text[j];
            buf_putc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
        }
        if (shown < ctx->tok_len) buf_puts(out, "...");
        if (i != 2) buf_putc(out, '\'');
        buf_puts(out, msg + k);
        return;
    }
    buf_puts(out, msg);
}

void parse_syntax_error(ParseCtx *ctx, Loc loc, const char *msg)
{
    Buf b = BUF_INIT;
    word_message(ctx, msg, &b);
    diag_error(ctx->diag, loc, "%s", buf_str(&b));
    buf_free(&b);
    int max = (int)(sizeof ctx->braces / sizeof ctx->braces[0]);
    if (ctx->at_eof && ctx->brace_depth > 0 && ctx->brace_depth <= max)
        diag_note(ctx->diag, ctx->braces[ctx->brace_depth - 1], "this '{' is not closed");
}

#define REVERSE(T, head)                                                        \
    do {                                                                        \
        T *rev_ = NULL, *cur_ = (head);                                         \
        while (cur_) {                                                          \
            T *next_ = cur_->next;                                              \
            cur_->next = rev_;                                                  \
            rev_ = cur_;                                                        \
            cur_ = next_;                                                       \
        }                                                                       \
        (head) = rev_;                                                          \
    } while (0)

/* The grammar prepends to every list; this puts each one back in source order. */
void parse_reverse_lists(Module *m)
{
    REVERSE(Import, m->imports);
    REVERSE(Persona, m->personas);
    for (Persona *p = m->personas; p; p = p->next) REVERSE(Trait, p->traits);
    REVERSE(Curve, m->curves);
    for (Curve *c = m->curves; c; c = c->next) REVERSE(CurvePoint, c->points);
    REVERSE(Stage, m->stages);
    for (Stage *s = m->stages; s; s = s->next) {
        REVERSE(Touchpoint, s->touchpoints);
        REVERSE(Arrow, s->arrows);
        REVERSE(Removal, s->removals);
        for (Touchpoint *t = s->touchpoints; t; t = t->next) {
            REVERSE(StrList, t->pains);
            REVERSE(StrList, t->opportunities);
        }
    }
    REVERSE(Channel, m->channels);
    REVERSE(Touchpoint, m->touchpoints);
    for (Touchpoint *t = m->touchpoints; t; t = t->next) {
        REVERSE(StrList, t->pains);
        REVERSE(StrList, t->opportunities);
    }
    REVERSE(Rule, m->rules);
    for (Rule *r = m->rules; r; r = r->next) REVERSE(Action, r->actions);
}

Module *parse_module(Arena *arena, Diag *diag, uint32_t file)
{
    const SourceFile *src = source_get(diag->sources, file);
    Module *m = ARENA_NEW(arena, Module);
    m->file = file;
    m->path = src->path;
    ParseCtx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = arena;
    ctx.diag = diag;
    ctx.mod = m;
    ctx.src = src;
    ctx.file = file;
    yyscan_t scanner;
    if (yylex_init_extra(&ctx, &scanner) != 0) die_out_of_memory();
    ctx.scanner = scanner;
    YY_BUFFER_STATE buf = yy_scan_bytes(src->text, (int)src->len, scanner);
    yyparse(scanner, &ctx);
    yy_delete_buffer(buf, scanner);
    yylex_destroy(scanner);
    parse_reverse_lists(m);
    return m;
}
