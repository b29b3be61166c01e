/* fmt.c: the canonical layout of .journey files (see fmt.h). Turns tokens and comments into
 * lines; must not know what a journey means, and must not change a single token.
 *
 * The layout, rule by rule:
 *   - Declarations start at column 0. One blank line separates declarations of different kinds
 *     (a `persona` after a `stage`); declarations of the same kind keep the blank line or its
 *     absence as written (a group of channels stays a group). More than one blank line becomes
 *     one; there are none at the start of the file or of a block, nor before a '}'.
 *   - A block `{ ... }` written on one line stays on one line: `{ item item }`, `{}` when empty.
 *     A block written over several lines has one item per line, indented by two spaces, and its
 *     '}' on a line of its own. The '{' always ends the line of its header.
 *   - Tokens are separated by one space, except: none inside parentheses or brackets, before ','
 *     ':' and ')', between a function or distribution and its '(', and after a sign (`-0.2`,
 *     `-mood`).
 *   - A line end inside an item (a long `when`, a rule header over two lines) is kept: the
 *     continuation line is indented four spaces more than the item.
 *   - Consecutive one-line items of the same kind at the same indentation are aligned in columns,
 *     like a table (a blank line, a comment line or any other line ends the table):
 *       arrows          `-> Target` | probability and `when` | reason
 *       keyword items   key | value        (journey, persona share/mood, touchpoint attributes
 *                                           and `events`, `arrivals` lines: `arrivals` | the
 *                                           rest of the line)
 *       persona traits  name | = value   (a distribution too: `= gamma(0.24, 4.4)`)
 *       curve entries   stage | value | why
 *       one-line declarations (touchpoints, personas, stages, channels; not rules):
 *                       keyword and name | label | `goal` or `when` | `{ first item` | item | ...
 *       state variables `state NAME` | = starting value
 *     A column is as wide as its widest cell; a row's last cell is never padded.
 *   - Comments stay where they were: a comment on a line of its own stays on a line of its own at
 *     the indentation of what follows; a comment at the end of a line stays at the end of that
 *     line, and the end-of-line comments of consecutive lines line up two spaces after the
 *     longest of those lines; a block comment inside a line stays inside it. Trailing blanks
 *     inside comments are removed.
 *   - Line ends are LF, no byte order mark, one line end at the end of the file. */
#include "fmt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parse.h"
#include "parser.h"

enum { INDENT = 2, CONT_INDENT = 4, COMMENT_GAP = 2 };

/* Alignment classes of one-line items; ROW_DECL + a token number for one-line declarations. */
enum { ROW_NONE, ROW_KEY, ROW_TRAIT, ROW_CURVE, ROW_ARROW, ROW_DECL = 1000 };

/* How the next token is placed. */
typedef enum {
    BR_SAME,  /* on the current line; a line end in the source starts a continuation line */
    BR_JOIN,  /* on the current line even after a line end in the source (the '{' of a header) */
    BR_ITEM,  /* first token of a block item: a new line at the item's indentation */
    BR_DECL,  /* first token of a top-level declaration (or the end of the file) */
    BR_CLOSE, /* '}' of a block over several lines: a new line at the block's indentation */
} Break;

/* Spacing flags of take(). */
enum { F_GLUE_BEFORE = 1, F_GLUE_AFTER = 2, F_FORCE_BLANK = 4 };

typedef struct FComment {
    const char *text; /* normalised: no trailing blanks on any of its lines, LF line ends */
    size_t len;
    int nl_before;    /* line ends between the previous token or comment and this one */
    int nl_after;     /* line ends between this comment and the next token or comment */
    bool line;        /* a // comment */
} FComment;

typedef struct FTok {
    int kind;
    const char *text; /* normalised (a number's inner blanks); points into the source otherwise */
    size_t len;
    int nl_before;
    uint32_t line;    /* source line, from 0 */
    size_t comment;   /* the comments just before this token: [comment, comment + ncomments) */
    size_t ncomments;
    size_t match;     /* '{': the index of its '}' */
} FTok;

typedef struct Cell {
    size_t off, len;  /* in Fmt.text */
} Cell;

typedef struct Line {
    int indent;
    int row;              /* alignment class */
    size_t cell, ncells;  /* Fmt.cells[cell, cell + ncells) */
    size_t comment;       /* the trailing comment: 1 + its index in Fmt.com, 0 for none */
    bool blank;
} Line;

typedef struct Fmt {
    Arena *arena;         /* the formatting's: a failed allocation goes to its escape (fmt_source) */
    FTok *tok;
    size_t ntok, pos;
    FComment *com;
    size_t ncom;
    Buf text;             /* the cells' text, one cell after the other (fallible) */
    Cell *cells;
    size_t ncells, ccap;
    Line *lines;
    size_t nlines, lcap;
    int cont;             /* indentation of continuation lines of the current item */
    bool open;            /* the last line takes more text (no // comment ended it) */
    bool glue;            /* no space before the next text */
    bool at_start;        /* nothing yet in the file or the current block */
    bool failed;          /* the tokens did not follow the grammar: give up */
} Fmt;

/* ---- reading tokens and comments ---- */

static int count_nl(const char *s, size_t from, size_t to)
{
    int n = 0;
    for (size_t i = from; i < to; i++) n += s[i] == '\n';
    return n;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the number that starts `s` (digits, fraction, exponent: the lexer's {NUM}). */
static size_t number_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_digit(s[i])) i++;
    if (i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) {
        i++;
        while (i < n && is_digit(s[i])) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-')) j++;
        if (j < n && is_digit(s[j])) {
            while (j < n && is_digit(s[j])) j++;
            i = j;
        }
    }
    return i;
}

/* `35 %` -> `35%`, `3\tdays` and `3days` -> `3 days`; other tokens as written. */
static void normalise_number(Arena *a, FTok *t)
{
    size_t num = number_len(t->text, t->len);
    if (num == t->len) return;
    size_t w = num;
    while (w < t->len && (t->text[w] == ' ' || t->text[w] == '\t')) w++;
    bool percent = w < t->len && t->text[w] == '%';
    if (percent ? w == num : w == num + 1 && t->text[num] == ' ') return;
    char *s = arena_printf(a, "%.*s%s%.*s", (int)num, t->text, percent ? "" : " ", (int)(t->len - w), t->text + w);
    t->text = s;
    t->len = strlen(s);
}

/* Comment text without CRs and without blanks at the end of any of its lines. */
static void normalise_comment(Arena *a, FComment *c, const char *src, Loc loc)
{
    char *s = arena_alloc(a, (size_t)loc.len + 1);
    size_t n = 0;
    for (uint32_t i = 0; i < loc.len; i++) {
        char ch = src[loc.off + i];
        if (ch == '\n')
            while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
        if (ch != '\r' || (i + 1 < loc.len && src[loc.off + i + 1] != '\n')) s[n++] = ch;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    s[n] = '\0';
    c->text = s;
    c->len = n;
}

/* Reads file `file` into f->tok and f->com, with the line ends around each of them. */
static void load(Fmt *f, Arena *a, Diag *diag, uint32_t file)
{
    const SourceFile *src = source_get(diag->sources, file);
    size_t n;
    const Comment *comments;
    Token *toks = parse_tokens(a, diag, file, &n, &comments);
    size_t nc = 0;
    for (const Comment *c = comments; c; c = c->next) nc++;
    f->tok = ARENA_ARRAY(a, FTok, n);
    f->com = ARENA_ARRAY(a, FComment, nc ? nc : 1);
    f->ntok = n;
    f->ncom = nc;
    size_t prev_end = 0, ci = 0, depth = 0, stack[64];
    uint32_t line = 0;
    const Comment *c = comments;
    for (size_t i = 0; i < n; i++) {
        FTok *t = &f->tok[i];
        t->comment = ci;
        for (; c && c->loc.off < toks[i].loc.off; c = c->next, ci++) {
            FComment *fc = &f->com[ci];
            fc->nl_before = count_nl(src->text, prev_end, c->loc.off);
            if (ci > 0 && f->com[ci - 1].nl_after < 0) f->com[ci - 1].nl_after = fc->nl_before;
            normalise_comment(a, fc, src->text, c->loc);
            fc->line = !c->block;
            fc->nl_after = -1;
            line += (uint32_t)fc->nl_before + (uint32_t)count_nl(src->text, c->loc.off, c->loc.off + c->loc.len);
            prev_end = c->loc.off + c->loc.len;
        }
        t->ncomments = ci - t->comment;
        t->kind = toks[i].kind;
        t->text = src->text + toks[i].loc.off;
        t->len = toks[i].loc.len;
        t->nl_before = count_nl(src->text, prev_end, toks[i].loc.off);
        if (t->ncomments > 0) f->com[ci - 1].nl_after = t->nl_before;
        line += (uint32_t)t->nl_before;
        t->line = line;
        prev_end = toks[i].loc.off + toks[i].loc.len;
        if (t->kind == NUMBER) normalise_number(a, t);
        /* Blocks nest three deep (a touchpoint in a stage in a scenario); deeper input is not a journey. */
        if (t->kind == '{' && depth < 64) stack[depth++] = i;
        else if (t->kind == '{') f->failed = true;
        if (t->kind == '}' && depth > 0) f->tok[stack[--depth]].match = i;
    }
}

/* ---- building lines ---- */

static Line *cur_line(Fmt *f) { return &f->lines[f->nlines - 1]; }

/* `items` (`size` bytes each) with room for one more than `n`; when memory runs out, the array
 * is left as it was (still the Fmt's to free) and the failure goes to the formatting's escape. */
static void *grow(Fmt *f, void *items, size_t n, size_t *cap, size_t first, size_t size)
{
    if (n < *cap) return items;
    size_t more = *cap ? 2 * *cap : first;
    void *p = more <= SIZE_MAX / size ? mem_realloc(items, more * size) : NULL;
    if (!p) arena_fail(f->arena);
    *cap = more;
    return p;
}

static void cell_new(Fmt *f)
{
    if (f->nlines == 0) return;
    f->cells = grow(f, f->cells, f->ncells, &f->ccap, 256, sizeof *f->cells);
    f->cells[f->ncells++] = (Cell){f->text.len, 0};
    cur_line(f)->ncells++;
    f->glue = true;
}

static void line_add(Fmt *f, Line l)
{
    f->lines = grow(f, f->lines, f->nlines, &f->lcap, 128, sizeof *f->lines);
    f->lines[f->nlines++] = l;
}

static void line_new(Fmt *f, int indent)
{
    line_add(f, (Line){indent, ROW_NONE, f->ncells, 0, 0, false});
    f->open = true;
    cell_new(f);
}

static void blank_line(Fmt *f)
{
    if (f->nlines > 0 && !cur_line(f)->blank) line_add(f, (Line){0, ROW_NONE, f->ncells, 0, 0, true});
}

/* Appends text to the current cell, after a space unless glued. */
static void put(Fmt *f, const char *s, size_t n)
{
    Cell *c = &f->cells[f->ncells - 1];
    if (!f->glue && c->len > 0) {
        buf_putc(&f->text, ' ');
        c->len++;
    }
    buf_add(&f->text, s, n);
    if (f->text.failed) arena_fail(f->arena);
    c->len += n;
    f->glue = false;
}

static int kind(const Fmt *f) { return f->failed ? END : f->tok[f->pos].kind; }

/* The comments before the next token, placed as the source had them: on a line of their own, at
 * the end of the previous token's line, or inside it (a block comment with code after it). */
static void place_comments(Fmt *f, const FTok *t, Break br, int indent, bool *force_blank)
{
    bool new_line_next = br == BR_ITEM || br == BR_DECL || br == BR_CLOSE;
    int own_indent = br == BR_CLOSE ? indent + INDENT : new_line_next ? indent : f->cont;
    for (size_t k = 0; k < t->ncomments; k++) {
        size_t ci = t->comment + k;
        const FComment *c = &f->com[ci];
        bool last = k + 1 == t->ncomments;
        if (c->nl_before > 0 || !f->open) {
            /* A comment on a line of its own. */
            if (!f->at_start && new_line_next && (c->nl_before >= 2 || *force_blank)) blank_line(f);
            *force_blank = false;
            f->at_start = false;
            line_new(f, own_indent);
            put(f, c->text, c->len);
            if (c->line || c->nl_after > 0) f->open = false;
        } else if (c->line || c->nl_after > 0 || (last && new_line_next)) {
            /* At the end of the line of the previous token. */
            cur_line(f)->comment = ci + 1;
            f->open = false;
        } else {
            put(f, c->text, c->len);
        }
    }
}

/* Places the next token (see Break) and moves past it. */
static void take(Fmt *f, Break br, int indent, unsigned flags)
{
    if (f->failed) return;
    const FTok *t = &f->tok[f->pos];
    bool force_blank = (flags & F_FORCE_BLANK) != 0;
    place_comments(f, t, br, indent, &force_blank);
    if (t->kind == END) return;
    bool new_line = br == BR_ITEM || br == BR_DECL || br == BR_CLOSE || !f->open || (br == BR_SAME && t->nl_before > 0);
    if (new_line) {
        bool item = br == BR_ITEM || br == BR_DECL || br == BR_CLOSE;
        if (item && br != BR_CLOSE && !f->at_start && (t->nl_before >= 2 || force_blank)) blank_line(f);
        line_new(f, item ? indent : f->cont);
        if (br == BR_ITEM || br == BR_DECL) f->cont = indent + CONT_INDENT;
    }
    f->at_start = false;
    if (flags & F_GLUE_BEFORE) f->glue = true;
    put(f, t->text, t->len);
    if (flags & F_GLUE_AFTER) f->glue = true;
    f->pos++;
}

static void expect(Fmt *f, int k, Break br, int indent, unsigned flags)
{
    if (kind(f) != k) {
        f->failed = true;
        return;
    }
    take(f, br, indent, flags);
}

static void maybe(Fmt *f, int k)
{
    if (kind(f) == k) take(f, BR_SAME, 0, 0);
}

/* ---- the grammar, as far as layout needs it ---- */

/* [+|-] NUMBER */
static void value(Fmt *f)
{
    if (kind(f) == '+' || kind(f) == '-') take(f, BR_SAME, 0, F_GLUE_AFTER);
    expect(f, NUMBER, BR_SAME, 0, 0);
}

/* Tokens of expressions, from expr.def: infix operators, prefix ones (and unary '+', which the
 * parser drops), and operand words. */
static bool is_infix(int k)
{
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) k == (token) ||
    return
#include "expr.def"
        false;
}

static bool is_prefix(int k)
{
#define PREFIX(name, spelling, token, prec, operand, result, value) k == (token) ||
    return k == '+' ||
#include "expr.def"
        false;
}

static bool is_operand(int k)
{
#define LEAF(name, spelling, token, type, cls) k == (token) ||
    return k == NUMBER || k == IDENT ||
#include "expr.def"
        false;
}

static bool starts_expr(int k) { return is_prefix(k) || k == '(' || is_operand(k); }

/* An expression: operands and operators until a token that cannot continue it. */
static void expr(Fmt *f)
{
    int depth = 0;
    bool operand = true; /* an operand is expected next */
    while (!f->failed) {
        int k = kind(f);
        if (operand) {
            if (k == '-' || k == '+') { /* a sign */
                take(f, BR_SAME, 0, F_GLUE_AFTER);
            } else if (is_prefix(k)) { /* a word: `not` */
                take(f, BR_SAME, 0, 0);
            } else if (k == '(') {
                take(f, BR_SAME, 0, F_GLUE_AFTER);
                depth++;
            } else if (k == IDENT && f->tok[f->pos + 1].kind == '(') {
                take(f, BR_SAME, 0, 0);
                take(f, BR_SAME, 0, F_GLUE_BEFORE | F_GLUE_AFTER);
                depth++;
                if (kind(f) == ')') {
                    take(f, BR_SAME, 0, F_GLUE_BEFORE);
                    depth--;
                    operand = false;
                }
            } else if (is_operand(k)) {
                take(f, BR_SAME, 0, 0);
                operand = false;
            } else {
                f->failed = true;
            }
        } else if (is_infix(k)) {
            take(f, BR_SAME, 0, 0);
            operand = true;
        } else if (k == ')' && depth > 0) {
            take(f, BR_SAME, 0, F_GLUE_BEFORE);
            depth--;
        } else if (k == ',' && depth > 0) {
            take(f, BR_SAME, 0, F_GLUE_BEFORE);
            operand = true;
        } else {
            break;
        }
    }
}

/* A trait's value: `0.2`, `gamma(0.24, 4.4)` or `choice(1: 60%, 5: 40%)` (the ':' glued to the
 * value before it, like a ','). */
static void trait_value(Fmt *f)
{
    if (kind(f) != IDENT) {
        value(f);
        return;
    }
    take(f, BR_SAME, 0, 0);
    expect(f, '(', BR_SAME, 0, F_GLUE_BEFORE | F_GLUE_AFTER);
    for (;;) {
        value(f);
        if (kind(f) == ':') {
            take(f, BR_SAME, 0, F_GLUE_BEFORE);
            value(f);
        }
        if (kind(f) != ',') break;
        take(f, BR_SAME, 0, F_GLUE_BEFORE);
    }
    expect(f, ')', BR_SAME, 0, F_GLUE_BEFORE);
}

static void block(Fmt *f, int bk, int indent);

/* A channel's name: an identifier, or `events` (a keyword that is also a channel's name). */
static void channel_name(Fmt *f)
{
    if (kind(f) == EVENTS) take(f, BR_SAME, 0, 0);
    else expect(f, IDENT, BR_SAME, 0, 0);
}

/* `"a", "b"`: the names of `events`, a comma glued to the string before it. */
static void event_names(Fmt *f)
{
    expect(f, STRING, BR_SAME, 0, 0);
    while (kind(f) == ',') {
        take(f, BR_SAME, 0, F_GLUE_BEFORE);
        expect(f, STRING, BR_SAME, 0, 0);
    }
}

/* The rest of a declaration whose first token (kind k) was taken; returns its alignment class
 * when it fits on one line. Cells: keyword and name | label | modifier | block items. */
static int decl_rest(Fmt *f, int k, int indent)
{
    switch (k) {
    case IMPORT:
        expect(f, STRING, BR_SAME, 0, 0);
        return ROW_DECL + k;
    case CHANNEL:
        channel_name(f);
        cell_new(f);
        maybe(f, STRING);
        return ROW_DECL + k;
    case JOURNEY:
        maybe(f, STRING);
        break;
    case CURVE:
        maybe(f, IDENT);
        break;
    case PERSONA:
    case TOUCHPOINT:
        expect(f, IDENT, BR_SAME, 0, 0);
        cell_new(f);
        maybe(f, STRING);
        break;
    case STAGE:
        expect(f, IDENT, BR_SAME, 0, 0);
        cell_new(f);
        maybe(f, STRING);
        cell_new(f);
        maybe(f, GOAL);
        break;
    case EXTEND:
        expect(f, STAGE, BR_SAME, 0, 0);
        expect(f, IDENT, BR_SAME, 0, 0);
        cell_new(f);
        maybe(f, GOAL);
        break;
    case RULE:
        expect(f, IDENT, BR_SAME, 0, 0);
        cell_new(f);
        maybe(f, STRING);
        cell_new(f);
        if (kind(f) == WHEN) {
            take(f, BR_SAME, 0, 0);
            expr(f);
        }
        break;
    case SCENARIO:
        expect(f, IDENT, BR_SAME, 0, 0);
        maybe(f, STRING);
        break;
    case STATE:
        expect(f, IDENT, BR_SAME, 0, 0);
        cell_new(f);
        expect(f, '=', BR_SAME, 0, 0);
        expr(f);
        return ROW_DECL + k;
    default:
        f->failed = true;
        return ROW_NONE;
    }
    block(f, k == EXTEND ? STAGE : k, indent);
    /* One-line rules and scenarios are not aligned: their contents differ too much in length. */
    return k == RULE || k == SCENARIO ? ROW_NONE : ROW_DECL + k;
}

/* `-> Target [otherwise | probability] [when condition] ["reason"]`: three cells. */
static int arrow_rest(Fmt *f, bool cells)
{
    if (kind(f) == IDENT || kind(f) == CHURN) take(f, BR_SAME, 0, 0);
    else f->failed = true;
    if (cells) cell_new(f);
    /* `revenue` right after the target begins the next stage item (parser.y explains why). */
    if (kind(f) == OTHERWISE) take(f, BR_SAME, 0, 0);
    else if (starts_expr(kind(f)) && kind(f) != REVENUE) expr(f);
    if (kind(f) == WHEN) {
        take(f, BR_SAME, 0, 0);
        expr(f);
    }
    if (cells && kind(f) == STRING) cell_new(f);
    maybe(f, STRING);
    return ROW_ARROW;
}

static int stage_item_rest(Fmt *f, int k, bool cells, int indent)
{
    switch (k) {
    case WAIT: expr(f); return ROW_NONE; /* `7 days`, `exponential(1 week / lambda)` */
    case EVENTS: event_names(f); return ROW_NONE;
    case REVENUE: expr(f); return ROW_NONE;
    case ARROW: return arrow_rest(f, cells);
    case TOUCHPOINT: return decl_rest(f, k, indent);
    case REMOVE:
        if (kind(f) == TOUCHPOINT) {
            take(f, BR_SAME, 0, 0);
            expect(f, IDENT, BR_SAME, 0, 0);
        } else {
            expect(f, ARROW, BR_SAME, 0, 0);
            if (kind(f) == IDENT || kind(f) == CHURN) take(f, BR_SAME, 0, 0);
            else f->failed = true;
        }
        return ROW_NONE;
    default: f->failed = true; return ROW_NONE;
    }
}

static int action_rest(Fmt *f, int k)
{
    switch (k) {
    case TOUCH:
    case GOTO: expect(f, IDENT, BR_SAME, 0, 0); break;
    case CHURN: maybe(f, STRING); break;
    case MOOD:
    case REVENUE:
    case COST:
    case IDENT: /* a state variable */
        if (kind(f) == PLUS_ASSIGN || kind(f) == MINUS_ASSIGN || kind(f) == '=') take(f, BR_SAME, 0, 0);
        else f->failed = true;
        expr(f);
        break;
    default: f->failed = true; return ROW_NONE;
    }
    if (kind(f) == WITH) {
        take(f, BR_SAME, 0, 0);
        expr(f);
    }
    return ROW_NONE;
}

/* A key and its value: `cohort 20000`, `share 30%`, `channel web`, `pain "..."`. */
static int key_rest(Fmt *f, int k, bool cells)
{
    if (cells) cell_new(f);
    if (k == CHANNEL) channel_name(f);
    else if (k == START || k == SURVEY) expect(f, IDENT, BR_SAME, 0, 0);
    else if (k == PAIN || k == OPPORTUNITY) expect(f, STRING, BR_SAME, 0, 0);
    else if (k == EVENTS) event_names(f);
    else if (k == REACH || k == COST) expr(f); /* amounts: a number or an expression */
    else value(f);
    return ROW_KEY;
}

/* `[300, 320, 350]`: a list of counts, glued inside its brackets like a call's arguments. */
static void count_list(Fmt *f)
{
    expect(f, '[', BR_SAME, 0, F_GLUE_AFTER);
    if (kind(f) != ']') {
        value(f);
        while (kind(f) == ',') {
            take(f, BR_SAME, 0, F_GLUE_BEFORE);
            value(f);
        }
    }
    expect(f, ']', BR_SAME, 0, F_GLUE_BEFORE);
}

/* `arrivals RATE per PERIOD [from D] [for D]` (a list of counts in place of the rate) after its
 * keyword: a keyword item whose value cell is the rest of the line. */
static int arrivals_rest(Fmt *f, bool cells)
{
    if (cells) cell_new(f);
    if (kind(f) == '[') count_list(f);
    else value(f);
    expect(f, PER, BR_SAME, 0, 0);
    expect(f, IDENT, BR_SAME, 0, 0);
    while (kind(f) == FROM || kind(f) == FOR) {
        take(f, BR_SAME, 0, 0);
        value(f);
    }
    return ROW_KEY;
}

/* The rest of a block item whose first token (kind k) was taken. */
static int item_rest(Fmt *f, int bk, int k, bool cells, int indent)
{
    switch (bk) {
    case JOURNEY:
        if (k == COHORT || k == HORIZON || k == SEED || k == START || k == INACTIVITY || k == MEMORY)
            return key_rest(f, k, cells);
        if (k == ARRIVALS) return arrivals_rest(f, cells);
        break;
    case PERSONA:
        if (k == SHARE || k == MOOD || k == MEMORY) return key_rest(f, k, cells);
        if (k == ARRIVALS) return arrivals_rest(f, cells);
        if (k == IDENT) {
            if (cells) cell_new(f);
            expect(f, '=', BR_SAME, 0, 0);
            trait_value(f);
            return ROW_TRAIT;
        }
        break;
    case CURVE:
        if (k == IDENT) {
            if (cells) cell_new(f);
            expr(f); /* a number or an expression */
            if (cells && kind(f) == STRING) cell_new(f);
            maybe(f, STRING);
            return ROW_CURVE;
        }
        break;
    case TOUCHPOINT:
        if (k == CHANNEL || k == SURVEY || k == REACH || k == EMOTION || k == COST || k == PAIN || k == OPPORTUNITY ||
            k == EVENTS)
            return key_rest(f, k, cells);
        break;
    case STAGE: return stage_item_rest(f, k, cells, indent);
    case RULE: return action_rest(f, k);
    case SCENARIO:
        /* Declarations, and `remove rule R` / `remove touchpoint T`. */
        if (k != REMOVE) return decl_rest(f, k, indent);
        if (kind(f) == RULE || kind(f) == TOUCHPOINT) take(f, BR_SAME, 0, 0);
        else f->failed = true;
        expect(f, IDENT, BR_SAME, 0, 0);
        return ROW_NONE;
    default: break;
    }
    f->failed = true;
    return ROW_NONE;
}

/* One item of a block; on a line of its own (and aligned with its neighbours) unless the block
 * is written on one line. */
static void item(Fmt *f, int bk, bool one_line, int indent)
{
    int k = kind(f);
    take(f, one_line ? BR_SAME : BR_ITEM, indent, 0);
    size_t line = f->nlines - 1;
    int row = item_rest(f, bk, k, !one_line, indent);
    if (!one_line && f->nlines - 1 == line) f->lines[line].row = row;
}

/* `{ items }`: on one line when written on one line (or empty), else one item per line. */
static void block(Fmt *f, int bk, int indent)
{
    if (kind(f) != '{') {
        f->failed = true;
        return;
    }
    const FTok *open = &f->tok[f->pos];
    const FTok *close = &f->tok[open->match];
    bool empty = open->match == f->pos + 1 && close->ncomments == 0;
    bool one_line = empty || open->line == close->line;
    cell_new(f);
    take(f, BR_JOIN, indent, 0);
    if (one_line) {
        for (bool first = true; kind(f) != '}' && kind(f) != END; first = false) {
            if (!first) cell_new(f);
            item(f, bk, true, indent + INDENT);
        }
        expect(f, '}', BR_JOIN, indent, empty ? F_GLUE_BEFORE : 0);
        return;
    }
    f->at_start = true;
    while (kind(f) != '}' && kind(f) != END) item(f, bk, false, indent + INDENT);
    expect(f, '}', BR_CLOSE, indent, 0);
}

static void module(Fmt *f)
{
    int prev = 0;
    f->at_start = true;
    while (kind(f) != END) {
        int k = kind(f);
        take(f, BR_DECL, 0, prev && prev != k ? F_FORCE_BLANK : 0);
        size_t line = f->nlines - 1;
        int row = decl_rest(f, k, 0);
        if (f->nlines - 1 == line) f->lines[line].row = row;
        prev = k;
    }
    take(f, BR_DECL, 0, 0); /* the comments at the end of the file */
}

/* ---- rendering ---- */

/* Width in characters (UTF-8 lead bytes). */
static size_t text_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

static bool has_nl(const char *s, size_t n) { return memchr(s, '\n', n) != NULL; }

static const Cell *line_cell(const Fmt *f, const Line *l, size_t i) { return &f->cells[l->cell + i]; }

static size_t cell_width(const Fmt *f, const Line *l, size_t i)
{
    const Cell *c = line_cell(f, l, i);
    return text_width(f->text.data + c->off, c->len);
}

/* Cells up to the last non-empty one. */
static size_t used_cells(const Fmt *f, const Line *l)
{
    size_t n = l->ncells;
    while (n > 0 && line_cell(f, l, n - 1)->len == 0) n--;
    return n;
}

static bool line_is_complex(const Fmt *f, const Line *l)
{
    for (size_t i = 0; i < l->ncells; i++)
        if (has_nl(f->text.data + line_cell(f, l, i)->off, line_cell(f, l, i)->len)) return true;
    return false;
}

/* The code of a line (no trailing comment): cells padded to `widths` (NULL: no padding, empty
 * cells left out). */
static void render_code(const Fmt *f, const Line *l, const size_t *widths, Buf *out)
{
    for (int i = 0; i < l->indent; i++) buf_putc(out, ' ');
    size_t n = used_cells(f, l);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        const Cell *c = line_cell(f, l, i);
        size_t w = widths ? widths[i] : cell_width(f, l, i);
        if (i + 1 < n && w == 0) continue;
        if (any) buf_putc(out, ' ');
        buf_add(out, f->text.data + c->off, c->len);
        for (size_t pad = cell_width(f, l, i); i + 1 < n && pad < w; pad++) buf_putc(out, ' ');
        any = true;
    }
}

/* Whether line j continues the table that line i begins. */
static bool same_table(const Fmt *f, size_t i, size_t j)
{
    const Line *a = &f->lines[i], *b = &f->lines[j];
    return !b->blank && b->row == a->row && b->indent == a->indent && !line_is_complex(f, b);
}

/* Renders the code of every line into code[], aligning the tables of one-line items; false when
 * memory ran out. */
static bool render_lines(const Fmt *f, Buf *code)
{
    size_t *widths = NULL, wcap = 0;
    for (size_t i = 0; i < f->nlines;) {
        const Line *l = &f->lines[i];
        if (l->blank || l->row == ROW_NONE || line_is_complex(f, l)) {
            if (!l->blank) render_code(f, l, NULL, &code[i]);
            i++;
            continue;
        }
        size_t end = i + 1, ncol = 0;
        while (end < f->nlines && same_table(f, i, end)) end++;
        for (size_t j = i; j < end; j++)
            if (f->lines[j].ncells > ncol) ncol = f->lines[j].ncells;
        if (ncol > wcap) {
            size_t *more = mem_realloc(widths, ncol * sizeof *widths);
            if (!more) {
                free(widths);
                return false;
            }
            widths = more;
            wcap = ncol;
        }
        memset(widths, 0, ncol * sizeof *widths);
        /* A column is as wide as its widest cell, last cells of rows apart. */
        for (size_t j = i; j < end; j++) {
            size_t n = used_cells(f, &f->lines[j]);
            for (size_t c = 0; c + 1 < n; c++) {
                size_t w = cell_width(f, &f->lines[j], c);
                if (w > widths[c]) widths[c] = w;
            }
        }
        for (size_t j = i; j < end; j++) render_code(f, &f->lines[j], widths, &code[j]);
        i = end;
    }
    free(widths);
    return true;
}

/* Writes the lines, end-of-line comments of consecutive lines aligned, to `out` (fallible); false
 * when memory ran out. */
static bool render(const Fmt *f, Buf *out)
{
    Buf *code = mem_alloc((f->nlines ? f->nlines : 1) * sizeof *code);
    if (!code) return false;
    for (size_t i = 0; i < f->nlines; i++) code[i] = (Buf)BUF_FALLIBLE;
    bool ok = render_lines(f, code);
    for (size_t i = 0; i < f->nlines;) {
        const Line *l = &f->lines[i];
        if (!l->comment || line_is_complex(f, l) || has_nl(f->com[l->comment - 1].text, f->com[l->comment - 1].len)) {
            buf_add(out, code[i].data, code[i].len);
            if (l->comment) {
                buf_puts(out, code[i].len ? "  " : "");
                buf_add(out, f->com[l->comment - 1].text, f->com[l->comment - 1].len);
            }
            buf_putc(out, '\n');
            i++;
            continue;
        }
        size_t end = i, col = 0;
        for (; end < f->nlines; end++) {
            const Line *m = &f->lines[end];
            if (m->blank || !m->comment || line_is_complex(f, m) || has_nl(f->com[m->comment - 1].text, f->com[m->comment - 1].len))
                break;
            size_t w = text_width(code[end].data ? code[end].data : "", code[end].len);
            if (w > col) col = w;
        }
        for (size_t j = i; j < end; j++) {
            buf_add(out, code[j].data, code[j].len);
            for (size_t w = text_width(code[j].data ? code[j].data : "", code[j].len); w < col + COMMENT_GAP; w++)
                buf_putc(out, ' ');
            const FComment *c = &f->com[f->lines[j].comment - 1];
            buf_add(out, c->text, c->len);
            buf_putc(out, '\n');
        }
        i = end;
    }
    for (size_t i = 0; i < f->nlines; i++) {
        ok = ok && !code[i].failed;
        buf_free(&code[i]);
    }
    free(code);
    return ok && !out->failed;
}

/* ---- checking the result ---- */

static void fmt_free(Fmt *f)
{
    buf_free(&f->text);
    free(f->cells);
    free(f->lines);
}

/* The check of the result: the formatted text read back (its diagnostics kept, not printed) and
 * compared with the input, under an arena_guard() of its own. */
typedef struct Reread {
    const Fmt *in;
    Diag d;
    uint32_t file;
    Arena a;
    bool same;
} Reread;

static void reread(void *ctx)
{
    Reread *r = ctx;
    const Fmt *in = r->in;
    parse_module(&r->a, &r->d, r->file);
    Fmt out;
    memset(&out, 0, sizeof out);
    load(&out, &r->a, &r->d, r->file);
    bool same = r->d.errors == 0 && !out.failed && out.ntok == in->ntok && out.ncom == in->ncom;
    for (size_t i = 0; same && i < in->ntok; i++)
        same = out.tok[i].kind == in->tok[i].kind && out.tok[i].len == in->tok[i].len &&
               memcmp(out.tok[i].text, in->tok[i].text, in->tok[i].len) == 0;
    for (size_t i = 0; same && i < in->ncom; i++)
        same = out.com[i].len == in->com[i].len && memcmp(out.com[i].text, in->com[i].text, in->com[i].len) == 0;
    r->same = same;
}

/* The formatted text must lex to the same tokens (same kinds, same spellings) and the same
 * comments as the source, and parse without errors. Running out of memory goes on to the
 * formatting's escape. */
static bool same_meaning(const Fmt *in, const char *text, size_t len)
{
    char *copy = mem_alloc(len + 1);
    if (!copy) arena_fail(in->arena);
    memcpy(copy, text, len);
    copy[len] = '\0';
    SourceSet set;
    source_set_init(&set);
    Reread r;
    memset(&r, 0, sizeof r);
    r.in = in;
    r.file = source_set_add(&set, "<formatted>", "<formatted>", copy, len);
    diag_init(&r.d, &set, NULL, false);
    arena_init(&r.a);
    Arena *const arenas[] = {&r.a};
    bool ok = r.file && arena_guard(arenas, 1, reread, &r) && !r.d.out_of_memory;
    arena_free(&r.a);
    diag_free(&r.d);
    source_set_free(&set);
    if (!ok) arena_fail(in->arena);
    return r.same;
}

/* One formatting, under arena_guard(): whatever it builds is reachable from here, to be freed
 * wherever an allocation stops it. */
typedef struct Run {
    Diag *diag;
    uint32_t file;
    Arena a;
    Fmt f;
    Buf text; /* the formatted file */
    FmtStatus status;
} Run;

static void run_format(void *ctx)
{
    Run *r = ctx;
    int before = r->diag->errors;
    bool lost_before = r->diag->out_of_memory;
    parse_module(&r->a, r->diag, r->file);
    if (r->diag->out_of_memory && !lost_before) arena_fail(&r->a); /* a syntax error could not be kept */
    if (r->diag->errors > before) {
        r->status = FMT_SYNTAX;
        return;
    }
    load(&r->f, &r->a, r->diag, r->file);
    module(&r->f);
    if (!r->f.failed && !render(&r->f, &r->text)) arena_fail(&r->a);
    r->status = !r->f.failed && same_meaning(&r->f, buf_str(&r->text), r->text.len) ? FMT_OK : FMT_INTERNAL;
}

FmtStatus fmt_source(Diag *diag, uint32_t file, Buf *out)
{
    Run r;
    memset(&r, 0, sizeof r);
    r.diag = diag;
    r.file = file;
    arena_init(&r.a);
    r.f.arena = &r.a;
    r.f.text = (Buf)BUF_FALLIBLE;
    r.text = (Buf)BUF_FALLIBLE;
    Arena *const arenas[] = {&r.a};
    if (!arena_guard(arenas, 1, run_format, &r)) r.status = FMT_OUT_OF_MEMORY;
    if (r.status == FMT_OK) {
        buf_add(out, buf_str(&r.text), r.text.len);
        if (out->failed) r.status = FMT_OUT_OF_MEMORY;
    }
    if (r.status == FMT_OUT_OF_MEMORY) diag_report_oom(diag, "formatting", source_get(diag->sources, file)->name);
    buf_free(&r.text);
    fmt_free(&r.f);
    arena_free(&r.a);
    return r.status;
}
