/* test_expr.c: unit tests of the one definition of expressions (lang/expr.def): every operator and
 * function folded before the run (expr_eval, the checker's and the compiler's evaluator) gives what
 * the bytecode interpreter computes, bit for bit, on a grid of operands (NaN, infinities, ±0,
 * division by zero), in each form the compiler emits; and the parser's precedence and
 * associativity are the list's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "unit.h"

void unit_expr(void);

static const double grid[] = {NAN, -INFINITY, -1e308, -2.5, -1, -0.0, 0.0, 0.5, 1, 3, 1e308, INFINITY};
enum { NGRID = sizeof grid / sizeof grid[0] };

/* ---- expression trees made by hand, as the checker marks them ---- */

typedef struct Pool {
    Expr node[32];
    int used;
} Pool;

static Expr *node(Pool *p, ExprKind kind)
{
    if (p->used == (int)(sizeof p->node / sizeof *p->node)) abort(); /* the test's own mistake */
    Expr *e = &p->node[p->used++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->type = TY_NUMBER;
    return e;
}

static Expr *num(Pool *p, double v)
{
    Expr *e = node(p, EX_NUMBER);
    e->num = v;
    e->constant = e->persona_only = true;
    return e;
}

/* The persona's trait i: known only at run time (in the test: the `traits` given). */
static Expr *trait(Pool *p, int i)
{
    Expr *e = node(p, EX_NAME);
    e->ref = REF_TRAIT;
    e->index = i;
    e->persona_only = true;
    return e;
}

static Expr *apply(Pool *p, ExprKind kind, const Expr *a, const Expr *b)
{
    Expr *e = node(p, kind);
    e->a = a;
    e->b = b;
    e->constant = a->constant && (!b || b->constant);
    e->persona_only = a->persona_only && (!b || b->persona_only);
    return e;
}

static Expr *call(Pool *p, FuncId fn, Expr **args, int n)
{
    Expr *e = node(p, EX_CALL);
    e->fn = fn;
    e->nargs = n;
    e->args = args[0];
    e->constant = e->persona_only = true;
    for (int i = 0; i < n; i++) {
        if (i + 1 < n) args[i]->next = args[i + 1];
        e->constant &= args[i]->constant;
        e->persona_only &= args[i]->persona_only;
    }
    return e;
}

/* ---- the two ways of computing ---- */

/* e compiled and run by the interpreter, the traits being `traits`; *len gets its instructions
 * (0: compiled to a constant). */
static double interpret(const Expr *e, const double *traits, int *len)
{
    RtModel rm;
    memset(&rm, 0, sizeof rm);
    rm.max_stack = 1;
    RtExpr x = rt_compile_expr(&rm, e);
    double stack[EXPR_MAX_ARGS + 2];
    RtCtx c;
    memset(&c, 0, sizeof c);
    c.traits = traits;
    double v = rm.max_stack <= (int)(sizeof stack / sizeof *stack) ? rt_eval(&x, rm.code, &c, stack) : -12345;
    *len = x.kind == RT_EXPR_CODE ? x.len : 0;
    free(rm.code);
    return v;
}

static double trait_leaf(const Expr *leaf, const void *traits)
{
    return leaf->kind == EX_NAME ? ((const double *)traits)[leaf->index] : NAN;
}

/* The same double: equal bits but for NaN's payload (-0 is not 0). */
static bool same(double x, double y) { return isnan(x) ? isnan(y) : x == y && !signbit(x) == !signbit(y); }

static int reported; /* failures printed, so that one wrong operator does not flood the output */

static void agree(const char *form, const char *op, const double *v, int n, double folded, double got, int len,
                  int want_len)
{
    if (same(folded, got) && len == want_len) return;
    unit_current_failed = true;
    if (reported++ >= 10) return;
    printf("FAIL %s: '%s' %s of (", unit_current, op, form);
    for (int i = 0; i < n; i++) printf("%s%g", i ? ", " : "", v[i]);
    printf("): folded %.17g, got %.17g in %d instructions (expected %d)\n", folded, got, len, want_len);
}

/* ---- the list ---- */

typedef struct Op {
    ExprKind kind;
    const char *spelling;
    int prec;
    bool infix, left; /* left: left-associative; else non-associative */
} Op;

#define ASSOC_LEFT true
#define ASSOC_NONASSOC false
static const Op ops[] = {
#define PREFIX(name, spelling, token, prec, operand, result, value) {EX_##name, spelling, prec, false, false},
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) \
    {EX_##name, spelling, prec, true, ASSOC_##assoc},
#include "expr.def"
};
enum { NOPS = sizeof ops / sizeof ops[0] };

typedef struct Func {
    FuncId fn;
    const char *name;
    int lo, hi;
} Func;

static const Func funcs[] = {
#define FUNC(name, spelling, lo, hi, cls, value) {FN_##name, spelling, lo, hi},
#include "expr.def"
};
enum { NFUNCS = sizeof funcs / sizeof funcs[0] };

static void check_prefix(const Op *op, double a)
{
    Pool p = {0};
    double v[1] = {a};
    int len;
    double folded = expr_eval(apply(&p, op->kind, num(&p, a), NULL), NULL, NULL);
    double got = interpret(apply(&p, op->kind, num(&p, a), NULL), v, &len);
    agree("compiled as a constant", op->spelling, v, 1, folded, got, len, 0);
    got = interpret(apply(&p, op->kind, trait(&p, 0), NULL), v, &len);
    agree("interpreted", op->spelling, v, 1, folded, got, len, 2);
    got = expr_eval(apply(&p, op->kind, trait(&p, 0), NULL), trait_leaf, v);
    agree("evaluated for a persona", op->spelling, v, 1, folded, got, 0, 0);
}

static void check_infix(const Op *op, double a, double b)
{
    Pool p = {0};
    double v[2] = {a, b};
    int len;
    double folded = expr_eval(apply(&p, op->kind, num(&p, a), num(&p, b)), NULL, NULL);
    double got = interpret(apply(&p, op->kind, num(&p, a), num(&p, b)), v, &len);
    agree("compiled as a constant", op->spelling, v, 2, folded, got, len, 0);
    got = interpret(apply(&p, op->kind, trait(&p, 0), trait(&p, 1)), v, &len);
    agree("interpreted, both operands on the stack", op->spelling, v, 2, folded, got, len, 3);
    got = interpret(apply(&p, op->kind, trait(&p, 0), num(&p, b)), v, &len);
    agree("interpreted, the right operand constant", op->spelling, v, 2, folded, got, len, 2);
    double vb[1] = {b};
    got = interpret(apply(&p, op->kind, num(&p, a), trait(&p, 0)), vb, &len);
    agree("interpreted, the left operand constant", op->spelling, v, 2, folded, got, len, 2);
    got = expr_eval(apply(&p, op->kind, trait(&p, 0), trait(&p, 1)), trait_leaf, v);
    agree("evaluated for a persona", op->spelling, v, 2, folded, got, 0, 0);
}

/* f over v[0 .. n-1]: folded, and interpreted with every argument a trait and with the first one
 * constant. */
static void check_call(const Func *f, const double *v, int n)
{
    Pool p = {0};
    Expr *args[EXPR_MAX_ARGS];
    for (int i = 0; i < n; i++) args[i] = num(&p, v[i]);
    double folded = expr_eval(call(&p, f->fn, args, n), NULL, NULL);
    int len;
    for (int i = 0; i < n; i++) args[i] = trait(&p, i);
    double got = interpret(call(&p, f->fn, args, n), v, &len);
    agree("interpreted", f->name, v, n, folded, got, len, n + 1);
    if (n == 1) return; /* then the call is a constant */
    args[0] = num(&p, v[0]);
    for (int i = 1; i < n; i++) args[i] = trait(&p, i);
    got = interpret(call(&p, f->fn, args, n), v, &len);
    agree("interpreted, the first argument constant", f->name, v, n, folded, got, len, n + 1);
}

static void test_one_semantics(void)
{
    TEST("expressions: every operator folds to what the interpreter computes, in every form") {
        reported = 0;
        for (int o = 0; o < NOPS; o++)
            for (int i = 0; i < NGRID; i++) {
                if (!ops[o].infix) check_prefix(&ops[o], grid[i]);
                else
                    for (int j = 0; j < NGRID; j++) check_infix(&ops[o], grid[i], grid[j]);
            }
    }
    TEST("expressions: every function folds to what the interpreter computes") {
        reported = 0;
        int tried = 0;
        for (int f = 0; f < NFUNCS; f++) {
            if (expr_func_reads_customer(funcs[f].fn)) continue; /* visits(): no value before the run */
            for (int n = funcs[f].lo; n <= funcs[f].hi && n <= 3; n++) {
                int combos = 1;
                for (int i = 0; i < n; i++) combos *= NGRID;
                for (int c = 0; c < combos; c++) {
                    double v[3];
                    for (int i = 0, r = c; i < n; i++, r /= NGRID) v[i] = grid[r % NGRID];
                    check_call(&funcs[f], v, n);
                    tried++;
                }
            }
        }
        CHECK(tried > 0);
    }
    TEST("expressions: true and false are 1 and 0, folded and interpreted alike") {
        Pool p = {0};
        Expr *t = node(&p, EX_TRUE), *f = node(&p, EX_FALSE);
        t->type = f->type = TY_BOOL;
        t->constant = t->persona_only = f->constant = f->persona_only = true;
        CHECK(expr_eval(t, NULL, NULL) == 1 && expr_eval(f, NULL, NULL) == 0);
        int len;
        for (int i = 0; i < NGRID; i++) {
            double traits[1] = {grid[i]};
            const Expr *forms[] = {t, f, apply(&p, EX_AND, t, trait(&p, 0)), apply(&p, EX_OR, f, trait(&p, 0)),
                                   apply(&p, EX_EQ, trait(&p, 0), t)};
            for (size_t k = 0; k < sizeof forms / sizeof *forms; k++)
                CHECK(same(expr_eval(forms[k], trait_leaf, traits), interpret(forms[k], traits, &len)));
            p.used = 2;
        }
    }
    TEST("expressions: what the definitions say, at the edges") {
        CHECK(isnan(expr_op_DIV(1, 0)) && isnan(expr_op_DIV(0, -0.0)) && isnan(expr_op_DIV(NAN, 2)));
        CHECK(expr_op_DIV(-1, INFINITY) == 0 && signbit(expr_op_DIV(-1, INFINITY)));
        CHECK(signbit(expr_op_NEG(0)) && expr_op_ADD(-0.0, -0.0) == 0 && signbit(expr_op_ADD(-0.0, -0.0)));
        CHECK(expr_op_NOT(NAN) == 0 && expr_op_AND(NAN, 1) == 1 && expr_op_OR(0, -0.0) == 0);
        CHECK(expr_op_EQ(NAN, NAN) == 0 && expr_op_NE(NAN, NAN) == 1 && expr_op_EQ(-0.0, 0) == 1);
        double v[3] = {NAN, 1, 2}; /* min and max keep a NaN first argument, and skip a later one */
        CHECK(isnan(expr_fn_MIN(v, 2)) && isnan(expr_fn_MAX(v, 3)) && expr_fn_MAX(v + 1, 2) == 2);
        CHECK(expr_fn_MIN((double[]){1, NAN}, 2) == 1);
        CHECK(isnan(expr_fn_CLAMP(v, 3)) && expr_fn_ABS((double[]){-0.0}, 1) == 0);
    }
}

/* ---- the parser agrees with the list ---- */

/* The condition of `rule R when TEXT { mood += 0 }` as parsed (not checked), or NULL on a syntax
 * error. *prog must be freed with program_free(). */
static const Expr *parse_condition(Program *prog, const char *text)
{
    char src[256];
    snprintf(src, sizeof src, "rule R when %s { mood += 0 }\n", text);
    char *msgs = NULL;
    size_t msgs_len = 0;
    FILE *out = open_memstream(&msgs, &msgs_len);
    Diag diag;
    program_init(prog, "stdlib", NULL);
    diag_init(&diag, &prog->sources, out, false);
    LoadStatus st = program_load_text(prog, "t.journey", src, strlen(src), &diag);
    const Expr *e = st == LOAD_OK && prog->main->rules ? prog->main->rules->when : NULL;
    diag_free(&diag);
    fclose(out);
    free(msgs);
    return e;
}

static void check_pair(const Op *p, const Op *q)
{
    char text[64];
    if (p->infix) snprintf(text, sizeof text, "x %s y %s z", p->spelling, q->spelling);
    else snprintf(text, sizeof text, "%s x %s z", p->spelling, q->spelling);
    Program prog;
    const Expr *e = parse_condition(&prog, text);
    bool first_binds = p->prec > q->prec || (p->prec == q->prec && p->left); /* (x P y) Q z */
    bool error = p->infix && p->prec == q->prec && !p->left;                  /* non-associative */
    bool ok;
    if (error) ok = e == NULL;
    else if (first_binds) ok = e && e->kind == q->kind && e->a->kind == p->kind;
    else if (p->infix) ok = e && e->kind == p->kind && e->b->kind == q->kind;
    else ok = e && e->kind == p->kind && e->a->kind == q->kind; /* P (x Q z) */
    if (!ok) {
        unit_current_failed = true;
        if (reported++ < 10)
            printf("FAIL %s: '%s' does not parse as expr.def says (%s)\n", unit_current, text,
                   error ? "a syntax error" : first_binds ? "the first operator binds tighter" : "the second binds tighter");
    }
    program_free(&prog);
}

static void test_parser_agrees(void)
{
    TEST("expressions: the parser's precedence and associativity are expr.def's") {
        reported = 0;
        for (int p = 0; p < NOPS; p++)
            for (int q = 0; q < NOPS; q++)
                if (ops[q].infix) check_pair(&ops[p], &ops[q]);
    }
}

void unit_expr(void)
{
    test_one_semantics();
    test_parser_agrees();
}
