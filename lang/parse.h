/* parse.h: turning one source file into a Module (syntax only; names are resolved by sema.c).
 *
 * The lexer (lexer.l) and parser (parser.y) are reentrant: all their state lives in a ParseCtx,
 * so any number of files can be parsed in one process. Syntax errors are reported through the
 * Diag and parsing goes on after each, so that every error in a file is reported. */
#ifndef CJM_PARSE_H
#define CJM_PARSE_H

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Limits that keep hostile input from exhausting the stack or the terminal (docs/limits.md). */
enum {
    PARSE_MAX_NESTING = 100,    /* parentheses in one expression */
    PARSE_MAX_IDENT = 256,      /* bytes in an identifier */
    PARSE_MAX_STRING = 4096,    /* bytes in a string */
    PARSE_MAX_EXPR_DEPTH = 200, /* operators nested in one expression */
};

typedef struct ParseCtx {
    void *scanner;            /* the flex scanner this context belongs to */
    Arena *arena;             /* the Program's: the syntax tree */
    Arena *scratch;           /* the parse's own (the scanner's buffers, the parser's stacks) */
    Diag *diag;
    Module *mod;
    Module *into;             /* where declarations go: `mod`, or the body of the scenario being read */
    Scenario *scenario;       /* the scenario being read, NULL outside one */
    const SourceFile *src;
    uint32_t file;
    uint32_t offset;          /* byte offset of the next token */
    int paren_depth;
    bool nesting_reported;
    bool depth_reported;
    Loc comment_open;         /* where an unfinished block comment began */
    Loc braces[16];           /* innermost open '{' locations, for "not closed" notes */
    int brace_depth;
    const char *tok_text;     /* the last token, for "unexpected identifier 'x'" */
    size_t tok_len;
    int tok_kind;             /* its token number */
    bool at_eof;
    Comment *comments;        /* comments met so far, the last first */
} ParseCtx;

/* Parses file `file` of the Diag's SourceSet into a new Module allocated in `arena`. Always
 * returns a module (possibly partial after syntax errors). Syntax errors get the Diag's current
 * code. When memory runs out, the parse stops and the failure goes on to `arena`'s escape
 * (arena.h): its memory is freed but what it put in `arena`. */
Module *parse_module(Arena *arena, Diag *diag, uint32_t file);

/* One token as the lexer returned it: its kind (a token number of the generated parser.h; 0 is
 * the end of the file) and where it is. */
typedef struct Token {
    int kind;
    Loc loc;
} Token;

/* Lexes file `file` into an array of tokens in `arena`, ending with the end-of-file token (kind 0),
 * for tools that work on the text itself (the formatter). *ntokens counts the end token; the file's
 * comments, in source order, go to *comments. Lexical errors are reported through `diag` (a file
 * that parse_module() read without errors gives none). */
Token *parse_tokens(Arena *arena, Diag *diag, uint32_t file, size_t *ntokens, const Comment **comments);

/* Used by the generated parser and lexer. */
void parse_syntax_error(ParseCtx *ctx, Loc loc, const char *msg);
void parse_reverse_lists(Module *m);
/* The lexer records each comment it skips (a line comment, or a block comment once closed). */
void parse_record_comment(ParseCtx *ctx, Loc loc, bool block);
/* The memory of the scanner (through ctx) and of the parser's stacks: the parse's scratch arena. */
void *parse_scratch_alloc(ParseCtx *ctx, size_t n);
void *parse_scratch_realloc(ParseCtx *ctx, void *p, size_t n);
void *parse_stack_alloc(size_t n);
void parse_stack_free(void *p);

#endif
