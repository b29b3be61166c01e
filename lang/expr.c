/* expr.c: the one evaluator of expressions whose value is known before the run, and the names of
 * expr.def's entries (see expr.h). */
#include "expr.h"

static double eval_call(const Expr *e, ExprLeafValue leaf, const void *ctx)
{
    if (expr_func_reads_customer(e->fn)) return leaf ? leaf(e, ctx) : NAN;
    double v[EXPR_MAX_ARGS];
    int n = 0;
    for (const Expr *x = e->args; x && n < EXPR_MAX_ARGS; x = x->next) v[n++] = expr_eval(x, leaf, ctx);
    if (n == 0) return NAN; /* not a checked call: every function takes an argument */
    switch (e->fn) {
#define FUNC(name, spelling, lo, hi, cls, value) EVAL_FN_##cls(name)
#define EVAL_FN_PURE(name) \
    case FN_##name: return expr_fn_##name(v, n);
#define EVAL_FN_CUSTOMER(name)
#include "expr.def"
#undef EVAL_FN_PURE
#undef EVAL_FN_CUSTOMER
    default: return NAN;
    }
}

double expr_eval(const Expr *e, ExprLeafValue leaf, const void *ctx)
{
    switch (e->kind) {
    case EX_NUMBER: return e->num;
    case EX_TRUE: return 1; /* the constant operand words: truth values are 1 and 0 */
    case EX_FALSE: return 0;
#define PREFIX(name, spelling, token, prec, operand, result, value) \
    case EX_##name: return expr_op_##name(expr_eval(e->a, leaf, ctx));
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) \
    case EX_##name: return expr_op_##name(expr_eval(e->a, leaf, ctx), expr_eval(e->b, leaf, ctx));
#include "expr.def"
    case EX_CALL: return eval_call(e, leaf, ctx);
    default: return leaf ? leaf(e, ctx) : NAN;
    }
}

const char *expr_spelling(ExprKind k)
{
    switch (k) {
#define LEAF(name, spelling, token, type, cls) case EX_##name: return spelling;
#define PREFIX(name, spelling, token, prec, operand, result, value) case EX_##name: return spelling;
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) case EX_##name: return spelling;
#include "expr.def"
    default: return "?";
    }
}

const char *expr_func_name(FuncId f)
{
    static const char *const names[] = {
#define FUNC(name, spelling, lo, hi, cls, value) spelling,
#include "expr.def"
    };
    return f < FN__COUNT ? names[f] : "?";
}

bool expr_func_reads_customer(FuncId f)
{
    static const bool customer[] = {
#define FUNC(name, spelling, lo, hi, cls, value) FUNC_##cls == FUNC_CUSTOMER,
#include "expr.def"
    };
    return f < FN__COUNT && customer[f];
}
