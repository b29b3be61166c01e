/* eval.h: expressions compiled once into a small stack bytecode, and its interpreter.
 *
 * The compiler (compile.c) folds every constant sub-expression into one constant and resolves
 * every name to an index, so the customer loop never looks a name up. An RtExpr is either absent,
 * a constant (no bytecode at all: the common case, tested first), or a run of RtIns.
 *
 * Ownership: the instructions live in the RtModel that compiled them. */
#ifndef CJM_RT_EVAL_H
#define CJM_RT_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"

typedef enum {
    OP_CONST,    /* push k */
    OP_MOOD,     /* clamp(curve + experience, -1, 1) */
    OP_TIME, OP_REVENUE, OP_COST,
    OP_TRAIT,    /* push the persona's trait `arg` */
    OP_STAGE,    /* push the current stage's index */
    OP_PERSONA,  /* push the persona's index */
    OP_VISITS,   /* push visits(stage `arg`) */
    OP_NEG, OP_NOT, OP_ABS,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV,
    OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_AND, OP_OR,
    OP_MIN, OP_MAX,  /* over the top `arg` values */
    OP_CLAMP,
    /* the binary operators with a constant operand k (x is the top of the stack) */
    OP_ADDK, OP_SUBK, OP_RSUBK /* k - x */, OP_MULK, OP_DIVK,
    OP_LTK, OP_LEK, OP_GTK, OP_GEK, OP_EQK, OP_NEK,
} RtOp;

typedef struct RtIns {
    int32_t op;
    int32_t arg;
    double k;
} RtIns;

typedef enum { RT_EXPR_NONE, RT_EXPR_CONST, RT_EXPR_CODE } RtExprKind;

typedef struct RtExpr {
    RtExprKind kind;
    bool persona_only;  /* its value is fixed for a (persona, stage) pair */
    double k;           /* RT_EXPR_CONST: the value */
    int code, len;      /* RT_EXPR_CODE: instructions [code, code + len) of the model */
    const Expr *src;    /* for messages */
} RtExpr;

/* A customer's visits of one stage. `gen` says which customer they belong to: a worker numbers
 * its customers, so the visits of the previous ones need no clearing (a stale entry reads as 0). */
typedef struct RtVisits {
    uint32_t gen, n;
} RtVisits;

/* What an expression may read about the customer being simulated. */
typedef struct RtCtx {
    double experience;  /* mood = clamp(curve + experience, -1, 1) */
    double curve;       /* the persona's curve value for the current stage */
    double time, revenue, cost;
    int persona, stage;
    const double *traits;   /* the persona's row of trait values */
    const RtVisits *visits; /* [nstages] */
    uint32_t gen;           /* the customer's number in RtVisits.gen */
} RtCtx;

static inline double rt_clamp_mood(double v) { return v < -1 ? -1 : v > 1 ? 1 : v; }

static inline uint32_t rt_visits(const RtCtx *c, int stage)
{
    return c->visits[stage].gen == c->gen ? c->visits[stage].n : 0;
}

/* Runs `len` instructions; `stack` has room for the model's max_stack values. */
double rt_eval_code(const RtIns *code, int len, const RtCtx *c, double *stack);

static inline double rt_eval(const RtExpr *e, const RtIns *code, const RtCtx *c, double *stack)
{
    if (e->kind == RT_EXPR_CONST) return e->k;
    return rt_eval_code(code + e->code, e->len, c, stack);
}

#endif
