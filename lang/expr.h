/* expr.h: what the operators and built-in functions of expressions compute, generated from
 * expr.def, and the one evaluator of expressions whose value is known before the run.
 *
 * expr_op_NAME and expr_fn_NAME are the only definitions of the arithmetic: the evaluator here
 * (the checker's constant folding, the compiler's evaluation for a persona and a stage) and the
 * bytecode interpreter (runtime/eval.c) both call them, so folding and run time cannot disagree. */
#ifndef CJM_EXPR_H
#define CJM_EXPR_H

#include <math.h>

#include "ast.h"

/* The most arguments a function takes (expr.def's MAX_ARGS are checked against it below). */
enum { EXPR_MAX_ARGS = 8 };

/* What an expression depends on (expr.def's CLASS of a LEAF), and what a function is (its CLASS). */
typedef enum { CLASS_CONSTANT, CLASS_PERSONA, CLASS_CUSTOMER } ExprClass;
typedef enum { FUNC_PURE, FUNC_CUSTOMER } FuncClass;

/* Helpers of expr.def's function values. */
static inline double expr_min(const double *v, int n)
{
    double r = v[0];
    for (int i = 1; i < n; i++) r = v[i] < r ? v[i] : r;
    return r;
}

static inline double expr_max(const double *v, int n)
{
    double r = v[0];
    for (int i = 1; i < n; i++) r = v[i] > r ? v[i] : r;
    return r;
}

/* expr_op_NAME(a[, b]) for each operator, expr_fn_NAME(v, n) for each pure function. */
#define PREFIX(name, spelling, token, prec, operand, result, value) \
    static inline double expr_op_##name(double a) { return (value); }
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) \
    static inline double expr_op_##name(double a, double b) { return (value); }
#define FUNC(name, spelling, lo, hi, cls, value) EXPR_FN_##cls(name, hi, value)
#define EXPR_FN_PURE(name, hi, value)                                                     \
    _Static_assert((hi) <= EXPR_MAX_ARGS, "too many arguments for EXPR_MAX_ARGS");       \
    static inline double expr_fn_##name(const double *v, int n) { (void)n; return (value); }
#define EXPR_FN_CUSTOMER(name, hi, value) \
    _Static_assert((hi) <= EXPR_MAX_ARGS, "too many arguments for EXPR_MAX_ARGS");
#include "expr.def"

/* The value of a leaf of an expression that is not a number (a name, `stage`, ...), for
 * expr_eval(); `ctx` is expr_eval()'s. */
typedef double (*ExprLeafValue)(const Expr *leaf, const void *ctx);

/* The value of a checked expression: numbers, operators and pure functions computed as expr.def
 * says, every other leaf (and call of a CUSTOMER function) given by `leaf`, or NaN when `leaf` is
 * NULL (a constant expression has no such leaf). */
double expr_eval(const Expr *e, ExprLeafValue leaf, const void *ctx);

/* The spelling of an operand word or operator ("mood", "+", "not"), "?" for another kind. */
const char *expr_spelling(ExprKind k);

/* A built-in function's name ("?" when out of range), and whether it is a CUSTOMER one (takes
 * the name of a stage and reads the customer's history of it). */
const char *expr_func_name(FuncId f);
bool expr_func_reads_customer(FuncId f);

#endif
